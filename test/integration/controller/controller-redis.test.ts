import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { testBed } from '../../unit/controller/fakes.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const TOKEN = 'integration-token'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined
let app: FastifyInstance | undefined

afterEach(async () => {
  const errors = bed?.errors() ?? []
  await app?.close()
  await bed?.cleanup()
  app = undefined
  bed = undefined
  expect(errors).toEqual([])
})

/** A test bed on real Redis; every key under the test's prefix is deleted afterwards. */
function redisBed(): Promise<Bed> {
  return testBed(
    (prefix) =>
      createRedisControlPlane({ url: REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 5_000 }),
    async (prefix) => {
      const sweeper = createRedisControlPlane({ url: REDIS_URL, keyPrefix: prefix })
      await sweeper.start()
      await sweeper.del(await sweeper.scan(sweeper.keys.allPattern()))
      await sweeper.close()
    },
  )
}

describe('controller on Redis over HTTP', () => {
  it('runs a scan posted over HTTP to finished and streams logs', async () => {
    bed = await redisBed()
    await bed.ingester('ing', ['eiger', 'orca'])
    await bed.worker('a', { window: 16 })
    await bed.worker('b', { window: 16 })
    const controller = await bed.controller()
    app = buildControllerApp(controller, { token: TOKEN })
    const base = await app.listen({ host: '127.0.0.1', port: 0 })
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }

    const stream = new AbortController()
    const logs = await fetch(`${base}/api/v1/log_stream`, {
      signal: stream.signal,
      headers: { authorization: `Bearer ${TOKEN}` },
    })
    expect(logs.headers.get('content-type')).toContain('application/x-ndjson')
    const reader = logs.body!.getReader()

    const map = {
      eiger: Array.from({ length: 200 }, (_, i) => [{ constraint: Math.floor(i / 10) }]),
      orca: Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0 ? [{ constraint: Math.floor(i / 10) }] : null,
      ),
    }
    const unauthorised = await fetch(`${base}/api/v1/mapping`, {
      method: 'POST',
      body: JSON.stringify(map),
      headers: { 'content-type': 'application/json' },
    })
    expect(unauthorised.status).toBe(401)
    const res = await fetch(`${base}/api/v1/mapping`, {
      method: 'POST',
      body: JSON.stringify(map),
      headers: auth,
    })
    expect(res.status).toBe(200)
    const id = (await res.json()) as string

    const first = new TextDecoder().decode((await reader.read()).value)
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({
      levelname: 'INFO',
      msg: expect.stringContaining(id),
    })
    stream.abort()

    await expect
      .poll(async () => (await (await fetch(`${base}/api/v1/progress`)).json()) as unknown, {
        timeout: 10_000,
      })
      .toEqual({
        last_assigned: 202,
        completed_events: 202,
        total_events: 202,
        finished: true,
        status: 'finished',
        failed_events: 0,
      })
    const updates = await bed.fakes.xrange(bed.fakes.keys.scanUpdates())
    expect(updates.map((u) => JSON.parse(Buffer.from(u.fields.get('u')!).toString()).type)).toEqual(
      ['started', 'finished'],
    )
    expect((await fetch(`${base}/api/v1/load`)).status).toBe(401)
    const load = (await (
      await fetch(`${base}/api/v1/load`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as Record<string, unknown>
    expect(Object.keys(load).sort()).toEqual(['a', 'b'])
  })

  it('keeps parameters in Redis across a controller restart', async () => {
    bed = await redisBed()
    const c1 = await bed.controller(true, { allowUndescribedParameters: true })
    app = buildControllerApp(c1)
    const set = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/roi',
      payload: Buffer.from('[0, 10]'),
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(set.statusCode).toBe(200)
    await app.close()
    await c1.close()
    const c2 = await bed.controller()
    app = buildControllerApp(c2)
    const get = await app.inject({ url: '/api/v1/parameter/roi' })
    expect(get.body).toBe('[0, 10]')
    expect((await app.inject({ url: '/api/v1/config' })).json().parameters_hash).toBe(set.json())
  })
})
