import { get } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  buildControllerApp,
  DEFAULT_BODY_LIMIT_BYTES,
} from '../../../src/controller/controller-app.js'
import { DEFAULT_PARAMETER_BODY_LIMIT_BYTES } from '../../../src/controller/routes-parameters.js'
import { SARDANA_PART_EVENTS, sardanaSequence } from '../../../src/controller/sardana-hook.js'
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from '../../../src/controller/scan-limits.js'
import { compileScanPlan } from '../../../src/mapping/index.js'
import { FakeProcess, testBed } from './fakes.js'

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

const TOKEN = 'limits-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const map = (n: number, tags = ['generic']) => ({
  eiger: Array.from({ length: n }, (_, i) => [{ tags, constraint: i }]),
})

async function setup(
  options: {
    token?: string
    limits?: ScanLimits
    allowUndescribedParameters?: boolean
    bodyLimitBytes?: number
    parameterBodyLimitBytes?: number
    maxLogStreams?: number
  } = {},
) {
  bed = await testBed()
  await bed.ingester('ing', ['eiger'])
  await bed.worker('a')
  const controller = await bed.controller(true, {
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(options.allowUndescribedParameters === undefined
      ? {}
      : { allowUndescribedParameters: options.allowUndescribedParameters }),
  })
  app = buildControllerApp(controller, {
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.parameterBodyLimitBytes === undefined
      ? {}
      : { parameterBodyLimitBytes: options.parameterBodyLimitBytes }),
    ...(options.maxLogStreams === undefined ? {} : { maxLogStreams: options.maxLogStreams }),
  })
  return { controller, app }
}

describe('controller request limits', () => {
  it('refuses {} and an empty sequence with 400 and starts nothing', async () => {
    const { app, controller } = await setup()
    const empty = await app.inject({ method: 'POST', url: '/api/v1/mapping', payload: {} })
    expect(empty.statusCode).toBe(400)
    expect(empty.json().message).toContain('names no stream')
    const noParts = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { main: map(2) }, sequence: [] },
    })
    expect(noParts.statusCode).toBe(400)
    expect(noParts.json().message).toContain('sequence is empty')
    expect(controller.scan()).toBeUndefined()
  })

  it('refuses a map whose tags no live worker has, naming the tags', async () => {
    const { app, controller } = await setup()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: map(3, ['gpu', 'fast']),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().issues).toContainEqual({
      path: [],
      message: 'no live worker has the tags [fast, gpu] a virtual worker asks for',
    })
    expect(controller.scan()).toBeUndefined()
  })

  it('refuses a map, a sequence or a scan over its limit, and takes one at the limit', async () => {
    const { app } = await setup({
      limits: { maxEvents: 12, maxMapEvents: 5, maxSequenceLength: 3 },
    })
    const tooLong = await app.inject({ method: 'POST', url: '/api/v1/mapping', payload: map(6) })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().message).toContain('CONTROLLER_MAX_MAP_EVENTS')
    const manyParts = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { p: map(1) }, sequence: ['p', 'p', 'p', 'p'] },
    })
    expect(manyParts.statusCode).toBe(400)
    expect(manyParts.json().message).toContain('CONTROLLER_MAX_SEQUENCE_LENGTH')
    // 3 × 4 + start and end = 14 > 12.
    const manyEvents = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { p: map(4) }, sequence: ['p', 'p', 'p'] },
    })
    expect(manyEvents.statusCode).toBe(400)
    expect(manyEvents.json().message).toContain('CONTROLLER_MAX_EVENTS')
    // 11 points + start and end = 13 > 12.
    const sardana = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger'], scan: { nb_points: 11 } },
    })
    expect(sardana.statusCode).toBe(400)
    expect(sardana.json().issues[0].path).toEqual(['scan', 'nb_points'])
    expect(sardana.json().message).toContain('CONTROLLER_MAX_EVENTS')
    const sardanaAtLimit = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger'], scan: { nb_points: 10 } },
    })
    expect(sardanaAtLimit.statusCode, sardanaAtLimit.body).toBe(200)
    await app.inject({ method: 'POST', url: '/api/v1/stop' })
    // 2 × 5 + start and end = 12: at the limit.
    const atLimit = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { p: map(5) }, sequence: ['p', 'p'] },
    })
    expect(atLimit.statusCode, atLimit.body).toBe(200)
  })

  it('has the documented scan limits by default', async () => {
    expect(DEFAULT_SCAN_LIMITS).toEqual({
      maxEvents: 10_000_000,
      maxMapEvents: 100_000,
      maxSequenceLength: 100_000,
    })
    const { app } = await setup()
    const tooLong = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: map(100_001),
    })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().message).toContain('100001 events in one map')
  })

  it('refuses a Sardana scan of 30 million points at once, without building it', async () => {
    const { app, controller } = await setup()
    const before = process.memoryUsage().heapUsed
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger'], scan: { nb_points: 30_000_000 } },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().issues).toEqual([
      {
        path: ['scan', 'nb_points'],
        message:
          '30000000 points, more than the 9999998 allowed (CONTROLLER_MAX_EVENTS, less the start and end events)',
      },
    ])
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024)
    expect(controller.scan()).toBeUndefined()
  })

  it('starts a Sardana scan at the limit (9 999 998 points) in memory that does not grow with it', async () => {
    bed = await testBed()
    await bed.ingester('ing', ['eiger', 'pilatus'])
    await bed.worker('a', { paused: true })
    const controller = await bed.controller()
    app = buildControllerApp(controller)
    const before = process.memoryUsage()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger', 'pilatus'], scan: { nb_points: 9_999_998 } },
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(controller.progress().total_events).toBe(10_000_000)
    const after = process.memoryUsage()
    // Materialised, 10 M events × 2 streams would be gigabytes (issue 15: 3.8 GB at 9 s).
    expect(after.heapUsed + after.external - before.heapUsed - before.external).toBeLessThan(
      160 * 1024 * 1024,
    )
    const doc = await app.inject({ url: '/api/v1/sequence', headers: {} })
    expect(doc.json().sequence).toHaveLength(1_002)
    await app.inject({ method: 'POST', url: '/api/v1/stop' })
  })

  it('builds a long Sardana scan from a repeated part: memory of 10 000 points', () => {
    const served = new Set(['eiger', 'pilatus'])
    const seq = sardanaSequence(
      { streams: ['eiger', 'pilatus'], scan: { nb_points: 10_000_000 } },
      served,
      10_000_000,
    )
    expect(Object.keys(seq.parts)).toEqual(['sardana'])
    expect(seq.parts['sardana' as never]?.['eiger' as never]).toHaveLength(SARDANA_PART_EVENTS)
    expect(seq.sequence).toHaveLength(1_000)
    const plan = compileScanPlan(seq, { allWrap: true })
    expect(plan.eventCount).toBe(10_000_002)
    const odd = sardanaSequence({ streams: ['eiger'], scan: { nb_points: 25_001 } }, served)
    expect(odd.sequence).toEqual(['sardana', 'sardana', 'sardana_rest'])
    expect(odd.parts['sardana_rest' as never]?.['eiger' as never]).toHaveLength(5_001)
    // A short scan stays Dranspose's single part.
    const short = sardanaSequence({ streams: ['eiger'], scan: { nb_points: 4 } }, served)
    expect(short.sequence).toEqual(['sardana'])
  })

  it('answers 413 for a body over the limit, 16 MiB by default', async () => {
    expect(DEFAULT_BODY_LIMIT_BYTES).toBe(16 * 1024 * 1024)
    const { app } = await setup()
    const big = `{"eiger": [${'null,'.repeat(DEFAULT_BODY_LIMIT_BYTES / 5)}null]}`
    expect(big.length).toBeGreaterThan(DEFAULT_BODY_LIMIT_BYTES)
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: big,
      headers: { 'content-type': 'application/json' },
    })
    expect(res.statusCode).toBe(413)
    await app.close()
    const small = await setup({ bodyLimitBytes: 100 })
    const over = await small.app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: map(10),
    })
    expect(over.statusCode).toBe(413)
  })

  it('answers 413 for a parameter value over the limit, 16 MiB by default', async () => {
    expect(DEFAULT_PARAMETER_BODY_LIMIT_BYTES).toBe(16 * 1024 * 1024)
    const { app } = await setup()
    const reducer = new FakeProcess(bed!.fakes, 'reducer', 'reducer', {
      parameters: [{ name: 'mask', dtype: 'binary', default: '' }],
    })
    await reducer.register(10_000)
    const over = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/mask',
      payload: Buffer.alloc(DEFAULT_PARAMETER_BODY_LIMIT_BYTES + 1),
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(over.statusCode).toBe(413)
    const at = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/mask',
      payload: Buffer.alloc(1024),
      headers: { 'content-type': 'application/octet-stream' },
    })
    expect(at.statusCode).toBe(200)
    reducer.crash()
  })

  it('refuses a parameter no process describes unless allowed', async () => {
    const { app } = await setup()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/whatever',
      payload: 'x'.repeat(1000),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ code: 'PARAMETER_INVALID' })
    expect(res.json().message).toContain('CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS')
    expect((await app.inject({ url: '/api/v1/parameter/whatever' })).statusCode).toBe(404)
    await app.close()
    await bed?.cleanup()
    const open = await setup({ allowUndescribedParameters: true })
    const ok = await open.app.inject({
      method: 'POST',
      url: '/api/v1/parameter/whatever',
      payload: 'x',
    })
    expect(ok.statusCode).toBe(200)
  })

  it('answers 400 for a log level it does not know', async () => {
    const { app } = await setup()
    for (const level of ['BOGUS', '1000', '', 'INFO; DROP']) {
      const res = await app.inject({ url: `/api/v1/logs?level=${encodeURIComponent(level)}` })
      expect(res.statusCode, level).toBe(400)
    }
    for (const level of ['warning', 'DEBUG', 'CRITICAL', '35']) {
      const res = await app.inject({ url: `/api/v1/logs?level=${level}` })
      expect(res.statusCode, level).toBe(200)
    }
    expect((await app.inject({ url: '/api/v1/logs?count=10001' })).statusCode).toBe(400)
  })

  it('serves at most maxLogStreams log streams at once (503 beyond), freeing a slot on close', async () => {
    const { app } = await setup({ maxLogStreams: 1 })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const open = (): Promise<{ status: number; close: () => void }> =>
      new Promise((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/api/v1/log_stream' }, (res) => {
          res.resume()
          resolve({ status: res.statusCode ?? 0, close: () => req.destroy() })
        })
        req.on('error', reject)
      })
    const first = await open()
    expect(first.status).toBe(200)
    const second = await open()
    expect(second.status).toBe(503)
    second.close()
    first.close()
    await vi.waitFor(
      async () => {
        const third = await open()
        third.close()
        expect(third.status).toBe(200)
      },
      { timeout: 30_000, interval: 100 },
    )
  })
})

describe('controller token', () => {
  it('guards every route that reveals internals; health, progress, metrics and docs stay public', async () => {
    const { app } = await setup({ token: TOKEN })
    const guarded = [
      '/api/v1/config',
      '/api/v1/status',
      '/api/v1/logs',
      '/api/v1/load',
      '/api/v1/parameters',
      '/api/v1/parameter/x',
      '/api/v1/sequence',
      '/api/v1/mapping',
      '/api/v1/nothing-here',
    ]
    for (const url of guarded) {
      const res = await app.inject({ url })
      expect(res.statusCode, url).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(res.body).not.toContain('tcp://')
    }
    for (const url of ['/api/v1/config', '/api/v1/status', '/api/v1/logs', '/api/v1/sequence']) {
      expect((await app.inject({ url, headers: auth })).statusCode, url).toBe(200)
    }
    const config = await app.inject({ url: '/api/v1/config', headers: auth })
    expect(config.body).toContain('tcp://127.0.0.1:1')
    for (const url of [
      '/health/live',
      '/health/ready',
      '/api/v1/progress',
      '/metrics',
      '/docs/json',
      '/',
      '/status',
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(200)
    }
  })
})
