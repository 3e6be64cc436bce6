import { Counter, Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsServer, type MetricsServer } from '../../../src/internal.js'

const servers: MetricsServer[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close()
})

function start(registry: Registry, health: { live: boolean; ready: boolean }, port = 0) {
  const server = createMetricsServer({
    registry,
    port,
    host: '127.0.0.1',
    live: () => health.live,
    ready: () => health.ready,
  })
  servers.push(server)
  return server
}

describe('metrics server', () => {
  it("serves its own registry's metrics and the health probes over HTTP", async () => {
    const registry = new Registry()
    const counter = new Counter({
      name: 'test_things_total',
      help: 'things',
      registers: [registry],
    })
    const health = { live: true, ready: false }
    const server = start(registry, health)
    await server.start()
    const base = `http://127.0.0.1:${server.port}`
    counter.inc(3)
    const text = await (await fetch(`${base}/metrics`)).text()
    expect(text).toMatch(/^test_things_total 3$/m)
    // Only this registry: prom-client's global default metrics are not there.
    expect(text).not.toContain('process_cpu')
    expect((await fetch(`${base}/health/live`)).status).toBe(200)
    const notReady = await fetch(`${base}/health/ready`)
    expect(notReady.status).toBe(503)
    expect(await notReady.json()).toEqual({ ready: false })
    health.ready = true
    expect((await fetch(`${base}/health/ready`)).status).toBe(200)
    health.live = false
    expect((await fetch(`${base}/health/live`)).status).toBe(503)
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`${base}/other`)).status).toBe(404)
    await server.close()
    await server.close()
    await expect(fetch(`${base}/metrics`)).rejects.toThrow()
  })

  it('closed while starting: start settles, nothing stays listening', async () => {
    const server = start(new Registry(), { live: true, ready: true })
    const starting = server.start()
    await server.close()
    const outcome = await starting.then(
      () => 'started',
      (err: { code?: string }) => err.code,
    )
    expect(['started', 'STATE_INVALID']).toContain(outcome)
    expect(server.state).toBe('closed')
    if (server.port !== undefined) {
      await expect(fetch(`http://127.0.0.1:${server.port}/metrics`)).rejects.toThrow()
    }
  })

  it('fails to start with CONFIG_INVALID when the port is taken', async () => {
    const first = start(new Registry(), { live: true, ready: true })
    await first.start()
    const second = start(new Registry(), { live: true, ready: true }, first.port)
    await expect(second.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })
})
