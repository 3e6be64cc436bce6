import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { STREAM_START } from '../../../src/control/control-plane.js'
import { createMemoryControlPlane } from '../../../src/control/memory-control-plane.js'
import type { ProcessRegistration } from '../../../src/control/process-registration.js'
import { createProcessRegistry } from '../../../src/control/process-registry.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import { eventNumber, ScanId, StreamField, streamName } from '../../../src/internal.js'
import { DATA_PLANE_VERSION, slot } from '../../../src/protocol/data-plane.js'
import { EventBatchBuilder } from '../../../src/protocol/data-plane-event-batch-builder.js'
import type { ResultItem } from '../../../src/protocol/data-plane-result-batch.js'
import {
  type AssignmentEntry,
  CreditRequest,
  parseControlJson,
  type RouteTuple,
  type ScanState,
  type ScanUpdate,
} from '../../../src/protocol/scan-messages.js'
import {
  createIngesterRouter,
  type IngesterRouter,
} from '../../../src/transport/ingester-router.js'
import {
  createResultReceiver,
  type ResultReceiver,
} from '../../../src/transport/result-receiver.js'
import type { WorkerLogger } from '../../../workers/worker-logger.js'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** `path:Export` of a fixture analysis. */
export function fixture(exportName: string): string {
  return `${fileURLToPath(new URL('./fixtures/analyses.ts', import.meta.url))}:${exportName}`
}

/** What a fixture analysis recorded for a worker name. */
export function recordOf(name: string): {
  events: number[]
  finished: number
  closed: number
  instances: number
  contextScans: number[]
  gate?: Promise<void>
} {
  const g = globalThis as { __workerTest?: Record<string, ReturnType<typeof recordOf>> }
  g.__workerTest ??= {}
  g.__workerTest[name] ??= { events: [], finished: 0, closed: 0, instances: 0, contextScans: [] }
  return g.__workerTest[name]
}

/** Closes everything a test opened, last first. */
export class Resources {
  readonly #closers: (() => Promise<unknown>)[] = []

  add<T>(thing: T, close: (t: T) => Promise<unknown>): T {
    this.#closers.push(() => close(thing))
    return thing
  }

  async closeAll(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close()
  }
}

/** A control plane on memory or on real Redis with a unique prefix (swept at cleanup). */
export async function openPlane(kind: 'memory' | 'redis', res: Resources): Promise<ControlPlane> {
  const prefix = `wt-${randomUUID().slice(0, 12)}`
  if (kind === 'memory') {
    const plane = createMemoryControlPlane({ keyPrefix: prefix })
    await plane.start()
    return res.add(plane, (p) => p.close())
  }
  const plane = createRedisControlPlane({
    url: REDIS_URL,
    keyPrefix: prefix,
    connectTimeoutMs: 5000,
  })
  await plane.start()
  return res.add(plane, async (p) => {
    if (p.state === 'running') await p.del(await p.scan(p.keys.allPattern()))
    await p.close()
  })
}

/** A logger that keeps every line; `errors` must stay empty unless a test expects some. */
export function captureLogger(): WorkerLogger & {
  lines: { level: string; msg: string; fields: object }[]
} {
  const lines: { level: string; msg: string; fields: object }[] = []
  const at = (level: string) => (fields: object, msg: string) => {
    lines.push({ level, msg, fields })
  }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

async function register(
  plane: ControlPlane,
  role: 'ingester' | 'reducer',
  name: string,
  info: { streams?: string[]; endpoints: Record<string, string> },
): Promise<ProcessRegistration> {
  const registry = createProcessRegistry(plane, { heartbeatMs: 200 })
  const full = { tags: [] as string[], ...info }
  return registry.register({ role, name, info: full })
}

/** A fake ingester: a real ROUTER, registered with its `data` endpoint. */
export async function fakeIngester(
  plane: ControlPlane,
  res: Resources,
  name: string,
  streams: string[],
): Promise<{ router: IngesterRouter; registration: ProcessRegistration; hellos: string[] }> {
  const hellos: string[] = []
  const router = res.add(createIngesterRouter({ onHello: (h) => hellos.push(h.worker) }), (r) =>
    r.close({ force: true }),
  )
  await router.start()
  const registration = res.add(
    await register(plane, 'ingester', name, { streams, endpoints: { data: router.endpoint } }),
    (r) => r.close(),
  )
  return { router, registration, hellos }
}

/**
 * A fake reducer: a real ROUTER decoding result batches, registered with `results`. It
 * acknowledges every batch as reduced and durable at once (as a reducer with nothing to save).
 */
export async function fakeReducer(
  plane: ControlPlane,
  res: Resources,
): Promise<{
  puller: ResultReceiver
  items: (ResultItem & { worker: string })[]
  batches: number
}> {
  const state = { items: [] as (ResultItem & { worker: string })[], batches: 0 }
  const puller: ResultReceiver = res.add(
    createResultReceiver({
      onBatch: (b, from) => {
        state.batches++
        for (const item of b.items) state.items.push({ ...item, worker: b.worker })
        puller.ack(from, {
          v: DATA_PLANE_VERSION,
          kind: 'ack',
          scan: b.scan,
          session: b.session,
          reduced: b.seq,
          durable: b.seq,
        })
      },
    }),
    (p) => p.close({ force: true }),
  )
  await puller.start()
  res.add(
    await register(plane, 'reducer', 'reducer', { endpoints: { results: puller.endpoint } }),
    (r) => r.close(),
  )
  return Object.assign(state, { puller })
}

/** Plays the controller: scan state, scan updates, assignment entries; reads credits. */
export class FakeController {
  readonly scanId: ScanId
  #seq = 0

  constructor(
    readonly plane: ControlPlane,
    scanId = `scan-${randomUUID().slice(0, 8)}`,
  ) {
    this.scanId = ScanId.parse(scanId)
  }

  async start(streams: string[]): Promise<void> {
    await this.#state('running', streams)
    await this.#update({ type: 'started', scanId: this.scanId })
  }

  async finish(): Promise<void> {
    await this.#state('finished', [])
    await this.#update({ type: 'finished', scanId: this.scanId })
  }

  async stop(): Promise<void> {
    await this.#state('stopped', [])
    await this.#update({ type: 'stopped', scanId: this.scanId, reason: 'operator' })
  }

  /** Append an entry; `seq` is filled in. */
  async assign(entry: Partial<AssignmentEntry> & Pick<AssignmentEntry, 'routes'>): Promise<void> {
    const full: AssignmentEntry = {
      seq: this.#seq++,
      released: [0, 0],
      rerouted: [],
      slots: [],
      workerSlots: {},
      completedFrontier: 0,
      ...entry,
    }
    await this.plane.xadd(this.plane.keys.assignments(this.scanId), {
      [StreamField.assignment]: JSON.stringify(full),
    })
  }

  async credits(): Promise<CreditRequest[]> {
    const entries = await this.plane.xrange(this.plane.keys.credits(this.scanId))
    return entries.map((e) =>
      parseControlJson(CreditRequest, e.fields.get(StreamField.message), 'credits'),
    )
  }

  async #state(status: ScanState['status'], streams: string[]): Promise<void> {
    const state: ScanState = {
      scanId: this.scanId,
      sequence: {},
      allWrap: false,
      totalEvents: 0,
      streams,
      status,
      createdAt: new Date().toISOString(),
    }
    await this.plane.set(this.plane.keys.scan(this.scanId), JSON.stringify(state))
  }

  async #update(update: ScanUpdate): Promise<void> {
    await this.plane.xadd(this.plane.keys.scanUpdates(), {
      [StreamField.update]: JSON.stringify(update),
    })
  }
}

/** One route: events `[from, to)` of a stream go to `workers`. */
export function route(from: number, to: number, workers: string[] | null): RouteTuple {
  return [from, to, workers as RouteTuple[2]]
}

/** An event batch with one frame per event and stream; the frame's first byte is `e % 256`. */
export function events(
  scanId: ScanId,
  from: number,
  to: number,
  streams: string[],
  batchSlot = 0,
): Uint8Array[] {
  const b = new EventBatchBuilder(scanId)
  for (let e = from; e < to; e++) {
    for (const s of streams) {
      b.add(eventNumber(e), slot(batchSlot), streamName(s), 'STINS', [
        new Uint8Array([e % 256, 1, 2]),
      ])
    }
  }
  return b.finish()
}

export { STREAM_START }
