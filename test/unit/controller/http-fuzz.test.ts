import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { FakeProcess, testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined
let app: FastifyInstance | undefined

afterEach(async () => {
  await app?.close()
  await bed?.cleanup()
  app = undefined
  bed = undefined
})

async function setup() {
  bed = await testBed()
  await bed.ingester('ing', ['eiger'])
  await bed.worker('a')
  const reducer = new FakeProcess(bed.fakes, 'reducer', 'reducer', {
    parameters: [
      { name: 'threshold', dtype: 'int', default: 3 },
      { name: 'mask', dtype: 'binary', default: '' },
    ],
  })
  await reducer.register(60_000)
  const controller = await bed.controller(true, {
    limits: { maxEvents: 1_000, maxMapEvents: 100, maxSequenceLength: 20 },
  })
  app = buildControllerApp(controller, { bodyLimitBytes: 64 * 1024 })
  return { app, reducer }
}

const vw = fc.oneof(
  fc.record(
    {
      tags: fc.array(fc.constantFrom('generic', 'gpu', ''), { maxLength: 2 }),
      constraint: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 1 }),
)
const entry = fc.oneof(
  fc.constant(null),
  fc.array(vw, { maxLength: 3 }),
  fc.jsonValue({ maxDepth: 1 }),
)
/** Maps that are often valid, often nearly so: streams, lengths and entries vary. */
const mapLike = fc.dictionary(
  fc.constantFrom('eiger', 'orca', '', '__proto__', 'constructor'),
  fc.array(entry, { maxLength: 30 }),
  { maxKeys: 3 },
)
const body = fc.oneof(
  mapLike,
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    parts: fc.dictionary(fc.string({ maxLength: 6 }), mapLike, { maxKeys: 3 }),
    sequence: fc.array(fc.string({ maxLength: 6 }), { maxLength: 30 }),
  }),
  fc.record({
    streams: fc.oneof(fc.array(fc.constantFrom('eiger', 'x'), { maxLength: 3 }), fc.jsonValue()),
    scan: fc.oneof(
      fc.record({
        nb_points: fc.oneof(fc.integer({ min: -5, max: 2_000 }), fc.double(), fc.constant(1e12)),
      }),
      fc.jsonValue(),
    ),
  }),
)

describe('controller HTTP bodies under random and mutated input', () => {
  it('never answers 500: maps, sequences, Sardana hooks, parameters and log queries', async () => {
    const { app, reducer } = await setup()
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/mapping', '/api/v1/sequence', '/api/v1/sardana_hook'),
        body,
        fc.boolean(),
        async (url, payload, raw) => {
          const res = await app.inject({
            method: 'POST',
            url: raw ? `${url}?all_wrap=${String(Math.random() < 0.5)}` : url,
            headers: { 'content-type': 'application/json' },
            payload: raw ? `${JSON.stringify(payload)}`.slice(0, -1) : JSON.stringify(payload),
          })
          expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(500)
          if (res.statusCode === 200) await app.inject({ method: 'POST', url: '/api/v1/stop' })
        },
      ),
      { numRuns: 400 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('threshold', 'mask', 'nothing', '..', '%00', 'a'.repeat(300)),
        fc.uint8Array({ maxLength: 512 }),
        async (name, bytes) => {
          const res = await app.inject({
            method: 'POST',
            url: `/api/v1/parameter/${encodeURIComponent(name)}`,
            headers: { 'content-type': 'application/octet-stream' },
            payload: Buffer.from(bytes),
          })
          expect(res.statusCode, res.body).toBeLessThan(500)
        },
      ),
      { numRuns: 200 },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 12 }),
        async (level, count) => {
          const q = new URLSearchParams({ level, count }).toString()
          for (const path of ['/api/v1/logs', '/api/v1/load']) {
            const res = await app.inject({
              url: `${path}?${q}&intervals=${encodeURIComponent(count)}`,
            })
            expect(res.statusCode, `${path}?${q} ${res.body}`).toBeLessThan(500)
          }
        },
      ),
      { numRuns: 200 },
    )
    reducer.crash()
  }, 120_000)
})
