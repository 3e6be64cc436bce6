/**
 * Contract suite: the controller's responses that tools written for Dranspose read, checked
 * against the shapes Dranspose's controller gives (its `controller.py`, `protocol.py`,
 * `mapping.py` and documented tests), on a real system: controller over HTTP, a STINS
 * ingester fed by a simulator, two workers and a reducer, on Redis.
 */
import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { createIngester, type Ingester } from '../../../ingesters/base/create-ingester.js'
import { IngesterConfig } from '../../../ingesters/base/ingester-config.js'
import { createStinsSimulator } from '../../../ingesters/stins/stins-simulator.js'
import { createStinsUpstreamFactory } from '../../../ingesters/stins/stins-upstream.js'
import { createReducer, type Reducer } from '../../../reducer/index.js'
import { buildControllerApp, createController } from '../../../src/http.js'
import { type ControlPlane, createRedisControlPlane } from '../../../src/internal.js'
import { createWorker, type WorkerService } from '../../../workers/index.js'
import { repoPath } from '../../harness/fixtures.js'
import { freePort } from '../../harness/processes.js'
import { REDIS_URL } from '../control/redis-harness.js'

const FRAMES = 6
const WORKER = `${repoPath('test/harness/who-did-what.ts')}:EchoWorker`
const REDUCER = `${repoPath('test/harness/who-did-what.ts')}:WhoReducer`

// Dranspose's shapes, written from its models: VirtualWorker, the sequence document,
// IngesterState / WorkerState / EnsembleState (the fields clients read), the status dict.
const VirtualWorker = z.strictObject({
  tags: z.array(z.string()),
  constraint: z.number().int().nonnegative().nullable(),
})
const SequenceDocument = z.strictObject({
  parts: z.record(
    z.string(),
    z.strictObject({ mapping: z.record(z.string(), z.array(z.array(VirtualWorker).nullable())) }),
  ),
  sequence: z.array(z.string()),
})
const IngesterState = z.looseObject({
  name: z.string(),
  endpoints: z.record(z.string(), z.string()),
  service_uuid: z.string(),
  mapping_uuid: z.string().nullable(),
  streams: z.array(z.string()),
})
const WorkerState = z.looseObject({
  name: z.string(),
  service_uuid: z.string(),
  mapping_uuid: z.string().nullable(),
  tags: z.array(z.string()),
  ingesters: z.array(IngesterState),
})
const EnsembleState = z.looseObject({
  ingesters: z.array(IngesterState),
  workers: z.array(WorkerState),
  reducer: z.looseObject({ name: z.string() }).nullable(),
  parameters_hash: z.string().nullable(),
})
const Status = z.looseObject({
  work_completed: z.record(z.string(), z.array(z.string())),
  last_assigned: z.number().int(),
  assignment: z.array(z.record(z.string(), z.string())),
  finished: z.boolean(),
})

/** Dranspose's `EnsembleState.get_streams`: streams every worker reaches through an ingester. */
function availableStreams(state: z.infer<typeof EnsembleState>): Set<string> {
  const served = new Set(state.ingesters.flatMap((i) => i.streams))
  for (const w of state.workers) {
    const reached = new Set(w.ingesters.flatMap((i) => i.streams))
    for (const s of served) if (!reached.has(s)) served.delete(s)
  }
  return served
}

let base = ''
let reducer: Reducer
let ingester: Ingester
const workers: WorkerService[] = []
const closers: (() => Promise<unknown>)[] = []
const prefix = `shapes-${randomUUID().slice(0, 8)}`
let scanId = ''

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`)
  expect(res.status, path).toBe(200)
  return res.json()
}

beforeAll(async () => {
  const logger = pino({ level: 'error' }, pino.destination({ fd: 2, sync: true }))
  const planeFor = async (): Promise<ControlPlane> => {
    const p = createRedisControlPlane({
      url: REDIS_URL,
      keyPrefix: prefix,
      connectTimeoutMs: 5_000,
    })
    await p.start()
    closers.push(() => p.close())
    return p
  }
  const controller = createController(
    { name: 'controller', lookaheadEvents: 1000, horizonEvents: 1000, scanRetentionMs: 60_000 },
    { plane: await planeFor(), logger },
  )
  const app = buildControllerApp(controller)
  closers.push(() => app.close())
  base = await app.listen({ host: '127.0.0.1', port: 0 })
  await controller.start()
  closers.push(() => controller.close())
  reducer = createReducer(
    { reducerModule: REDUCER, httpPort: 0 },
    { plane: await planeFor(), logger },
  )
  await reducer.start()
  closers.push(() => reducer.close())
  const simUrl = `tcp://127.0.0.1:${await freePort()}`
  const sim = createStinsSimulator({
    bind: simUrl,
    frames: FRAMES,
    shape: [4, 4],
    dtype: 'uint16',
    rateHz: 0,
    compression: 'none',
  })
  closers.push(() => sim.close())
  await sim.start()
  ingester = createIngester(IngesterConfig.parse({ streams: ['xrd'] }), {
    plane: await planeFor(),
    upstream: createStinsUpstreamFactory({ url: simUrl }),
    logger,
  })
  await ingester.start()
  closers.push(() => ingester.close())
  for (const name of ['w1', 'w2']) {
    const w = createWorker({ name, workerModule: WORKER }, { plane: await planeFor(), logger })
    await w.start()
    closers.push(() => w.close())
    workers.push(w)
  }

  // What a Dranspose driver does before a scan: poll /config until the stream is available.
  await vi.waitFor(async () => {
    const state = EnsembleState.parse(await getJson('/api/v1/config'))
    expect([...availableStreams(state)]).toEqual(['xrd'])
    expect(state.workers.map((w) => w.name).sort()).toEqual(['w1', 'w2'])
  })
  const map = { xrd: Array.from({ length: FRAMES }, (_, i) => [{ constraint: i }]) }
  const res = await fetch(`${base}/api/v1/mapping`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(map),
  })
  expect(res.status, await res.clone().text()).toBe(200)
  scanId = (await res.json()) as string
  await vi.waitFor(async () => {
    expect(((await getJson('/api/v1/progress')) as { finished: boolean }).finished).toBe(true)
  })
}, 60_000)

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {})
  const sweeper = createRedisControlPlane({ url: REDIS_URL, keyPrefix: prefix })
  await sweeper.start()
  await sweeper.del(await sweeper.scan(sweeper.keys.allPattern()))
  await sweeper.close()
})

describe("the controller's Dranspose-shaped responses", () => {
  it('GET /api/v1/config: each worker lists the ingesters it is connected to', async () => {
    const state = EnsembleState.parse(await getJson('/api/v1/config'))
    const [only] = state.ingesters
    expect(state.ingesters).toHaveLength(1)
    expect(only).toMatchObject({ name: 'xrd-ingester', streams: ['xrd'] })
    expect(only?.endpoints).toMatchObject({ data: ingester.endpoint })
    for (const w of state.workers) {
      expect(w.ingesters, w.name).toEqual([only])
      expect(w.tags).toEqual(['generic'])
    }
    expect(state.workers.map((w) => w.service_uuid).sort()).toEqual(
      workers.map((w) => w.registration?.info.instanceId).sort(),
    )
  })

  it('GET /api/v1/sequence and /mapping: the document with reserved_start_end', async () => {
    const doc = SequenceDocument.parse(await getJson('/api/v1/sequence'))
    expect(doc.sequence).toEqual(['reserved_start_end', 'main', 'reserved_start_end'])
    expect(Object.keys(doc.parts).sort()).toEqual(['main', 'reserved_start_end'])
    expect(doc.parts.main?.mapping.xrd).toEqual(
      Array.from({ length: FRAMES }, (_, i) => [{ tags: ['generic'], constraint: i }]),
    )
    expect(doc.parts.reserved_start_end?.mapping).toEqual({
      xrd: [[{ tags: ['generic'], constraint: null }]],
    })
    expect(await getJson('/api/v1/mapping')).toEqual(doc)
  })

  it('GET /api/v1/status: work_completed and assignment agree with what the reducer got', async () => {
    const status = Status.parse(await getJson('/api/v1/status'))
    expect(status.finished).toBe(true)
    expect(status.last_assigned).toBe(FRAMES + 2)
    // Independent view: the worker of every result the reducer reduced.
    const reduced = z
      .record(z.string(), z.array(z.string()))
      .parse(await (await fetch(`${reducer.url}/api/v1/result/events`)).json())
    const sorted = Object.fromEntries(Object.entries(reduced).map(([e, ws]) => [e, [...ws].sort()]))
    expect(status.work_completed).toEqual(sorted)
    expect(Object.keys(status.work_completed)).toHaveLength(FRAMES + 2)
    expect(status.work_completed['0']).toEqual(['w1', 'w2'])
    expect(status.work_completed[String(FRAMES + 1)]).toEqual(['w1', 'w2'])
    // One object per part instance; constraint c of `main` is event c + 1.
    expect(status.assignment).toHaveLength(3)
    expect(status.assignment[0]).toEqual({})
    expect(status.assignment[2]).toEqual({})
    for (let c = 0; c < FRAMES; c++) {
      expect([status.assignment[1]?.[String(c)]]).toEqual(status.work_completed[String(c + 1)])
    }
  })

  it('a scan id is a UUID string, as Dranspose returns', () => {
    expect(scanId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
