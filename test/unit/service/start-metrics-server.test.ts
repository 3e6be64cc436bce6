import { hostname } from 'node:os'
import { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { type MetricsServer, startMetricsServer } from '../../../src/internal.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'

const servers: MetricsServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function urlFor(
  host: string,
  advertiseHost?: string,
): Promise<{ url: string; port: number }> {
  const { server, url } = await startMetricsServer({
    registry: new Registry(),
    port: 0,
    host,
    advertiseHost,
    live: () => true,
    ready: () => true,
  })
  servers.push(server)
  return { url, port: server.port! }
}

describe('startMetricsServer', () => {
  it('registers the machine name for a wildcard host, the host itself otherwise', async () => {
    const any = await urlFor('0.0.0.0')
    expect(any.url).toBe(`http://${hostname()}:${any.port}`)
    const loop = await urlFor('127.0.0.1')
    expect(loop.url).toBe(`http://127.0.0.1:${loop.port}`)
    // The URL answers.
    expect((await fetch(`http://127.0.0.1:${loop.port}/health/live`)).status).toBe(200)
  })

  it('registers advertiseHost when one is given', async () => {
    const { url, port } = await urlFor('0.0.0.0', 'worker-3.beamline.example')
    expect(url).toBe(`http://worker-3.beamline.example:${port}`)
  })

  it('is what a worker registers: WORKER_ADVERTISE_HOST reaches its config', () => {
    const { worker } = parseWorkerEnv({
      WORKER_MODULE: 'a.ts:A',
      WORKER_ADVERTISE_HOST: 'w3.example',
    })
    expect(worker.advertiseHost).toBe('w3.example')
  })
})
