import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { readControllerLoad } from '../../../autoscaler/index.js'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { testBed } from '../../unit/controller/fakes.js'

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

describe('readControllerLoad against the real controller API', () => {
  it('reads idle, then a running scan’s backlog and workers', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    const worker = await bed.worker('a', { paused: true })
    const controller = await bed.controller()
    app = buildControllerApp(controller)
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const source = { controllerUrl: url, rateWindowSeconds: 10, requestTimeoutMs: 2_000 }

    const idle = await readControllerLoad(source)
    expect(idle).toMatchObject({ running: false, backlogEvents: 0, rateEventsPerSecond: 0 })
    expect(idle.scanId).toBeNull()

    const events = 25
    const map = { eiger: Array.from({ length: events }, (_, i) => [{ constraint: i }]) }
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping?all_wrap=false',
      payload: map,
    })
    expect(res.statusCode, res.body).toBe(200)
    const busy = await readControllerLoad(source)
    expect(busy.scanId).toBe(res.json())
    expect(busy.running).toBe(true)
    // Nothing completed yet: every event of the map is still to do.
    expect(busy.backlogEvents).toBe(events)
    expect(busy.rateEventsPerSecond).toBe(0)
    expect(busy.workers).toEqual(['a'])

    // The worker gets going: the scan finishes and nothing is left.
    await worker.resume()
    await expect.poll(async () => (await readControllerLoad(source)).running).toBe(false)
    expect((await readControllerLoad(source)).backlogEvents).toBe(0)
  })

  it('reads a controller with a token when given it, and is refused without', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger'])
    await bed.worker('a')
    const controller = await bed.controller()
    app = buildControllerApp(controller, { token: 'scale-token' })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    const source = { controllerUrl: url, rateWindowSeconds: 10, requestTimeoutMs: 2_000 }
    await expect(readControllerLoad(source)).rejects.toMatchObject({
      code: 'UPSTREAM_CLOSED',
      message: expect.stringMatching(/answered 401/),
    })
    const idle = await readControllerLoad({ ...source, controllerToken: 'scale-token' })
    expect(idle).toMatchObject({ running: false, backlogEvents: 0 })
  })

  it('reports an unreachable controller as UPSTREAM_CLOSED', async () => {
    await expect(
      readControllerLoad({
        controllerUrl: 'http://127.0.0.1:1',
        rateWindowSeconds: 10,
        requestTimeoutMs: 500,
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' })
  })
})
