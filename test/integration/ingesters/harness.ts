import { randomUUID } from 'node:crypto'
import { createIngester, type Ingester } from '../../../ingesters/base/create-ingester.js'
import {
  IngesterConfig,
  type IngesterConfigInput,
} from '../../../ingesters/base/ingester-config.js'
import type { IngesterLogger } from '../../../ingesters/base/ingester-logger.js'
import type { UpstreamFactory } from '../../../ingesters/base/upstream.js'
import {
  createStinsSimulator,
  type StinsSimulator,
  type StinsSimulatorOptions,
} from '../../../ingesters/stins/stins-simulator.js'
import {
  createStinsUpstreamFactory,
  type StinsUpstreamOptions,
} from '../../../ingesters/stins/stins-upstream.js'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createLogStream } from '../../../src/control/log-stream.js'
import { createMemoryControlPlane } from '../../../src/control/memory-control-plane.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import type { ScanId, WorkerName } from '../../../src/internal.js'
import { StreamField } from '../../../src/internal.js'
import type { BatchedEvent } from '../../../src/protocol/data-plane-event-batch.js'
import type { AssignmentEntry, RouteTuple, ScanState } from '../../../src/protocol/scan-messages.js'
import { createWorkerDealer, type WorkerDealer } from '../../../src/transport/worker-dealer.js'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Options of a STINS simulator sending `frames` uncompressed uint16 images at once. */
export function stinsSeries(
  frames: number,
  shape: [number, number] = [8, 8],
): StinsSimulatorOptions {
  return {
    bind: 'tcp://127.0.0.1:*',
    frames,
    shape,
    dtype: 'uint16',
    rateHz: 0,
    compression: 'none',
  }
}

/** A route tuple of an assignment entry: `route(0, 3, ['a'])`. */
export const route = (from: number, to: number, workers: string[] | null): RouteTuple =>
  [from, to, workers] as RouteTuple

/** A logger that records every call, so a test can fail on unexpected errors. */
export function captureLogger() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = []
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, message, fields })
  }
  const logger: IngesterLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  }
  return {
    logger,
    lines,
    /** Errors and warnings not matching `expected`. */
    unexpected: (expected: RegExp[] = []) =>
      lines.filter(
        (l) =>
          (l.level === 'error' || l.level === 'warn') && !expected.some((e) => e.test(l.message)),
      ),
  }
}

/** Everything a test owns; `close()` releases it in reverse order. */
export class Rig {
  readonly #closers: (() => Promise<unknown>)[] = []
  readonly log = captureLogger()

  own<T>(closer: () => Promise<unknown>, value: T): T {
    this.#closers.push(closer)
    return value
  }

  async plane(kind: 'memory' | 'redis' = 'memory'): Promise<ControlPlane> {
    const prefix = `ing-${randomUUID().slice(0, 12)}`
    const plane =
      kind === 'memory'
        ? createMemoryControlPlane({ keyPrefix: prefix })
        : createRedisControlPlane({ url: REDIS_URL, keyPrefix: prefix, connectTimeoutMs: 5_000 })
    await plane.start()
    this.own(async () => {
      if (kind === 'redis' && plane.state === 'running') {
        await plane.del(await plane.scan(plane.keys.allPattern()))
      }
      await plane.close()
    }, undefined)
    return plane
  }

  async ingester(
    plane: ControlPlane,
    upstream: StinsUpstreamOptions,
    config: Partial<IngesterConfigInput> = {},
  ): Promise<Ingester> {
    return this.deviceIngester(plane, createStinsUpstreamFactory(upstream), config)
  }

  /** A started ingester for any device type, closed with the rig. */
  async deviceIngester(
    plane: ControlPlane,
    factory: UpstreamFactory,
    config: Partial<IngesterConfigInput> = {},
  ): Promise<Ingester> {
    const ingester = createIngester(
      IngesterConfig.parse({
        streams: ['eiger'],
        helloTimeoutMs: 60_000,
        heartbeatMs: 200,
        ...config,
      }),
      { plane, upstream: factory, logger: this.log.logger },
    )
    this.own(() => ingester.close(), undefined)
    await ingester.start()
    return ingester
  }

  /** A started STINS simulator, closed with the rig. */
  async simulator(options: StinsSimulatorOptions): Promise<StinsSimulator> {
    const sim = createStinsSimulator(options)
    this.own(() => sim.close(), undefined)
    await sim.start()
    return sim
  }

  /** A fake worker: a real DEALER that says hello and collects what it receives. */
  async worker(endpoint: string, name: string) {
    const batches: BatchedEvent[][] = []
    const dealer: WorkerDealer = createWorkerDealer({
      endpoint,
      worker: name as WorkerName,
      onBatch: (batch) => {
        batches.push([...batch.events])
      },
    })
    this.own(() => dealer.close(), undefined)
    await dealer.start()
    return {
      dealer,
      batches,
      events: () => batches.flat(),
      numbers: () => batches.flat().map((e) => e.eventNumber as number),
    }
  }

  async close(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close()
  }
}

/**
 * Start a scan as the controller does: the state key, then `started`. Its sequence is one trigger
 * map of `totalEvents` events (no wrap) in which every stream has a frame in every event except
 * the events `unread[stream]` lists (`null` entries): the ingester matches frames to events by
 * it, so the routes a test publishes must agree with it.
 */
export async function startScan(
  plane: ControlPlane,
  streams: string[],
  totalEvents: number,
  unread: Readonly<Record<string, readonly number[]>> = {},
): Promise<ScanId> {
  const scanId = randomUUID() as ScanId
  const map: Record<string, ({ tags: string[]; constraint: number }[] | null)[]> = {}
  for (const stream of streams) {
    map[stream] = Array.from({ length: totalEvents }, (_, e) =>
      unread[stream]?.includes(e) ? null : [{ tags: ['generic'], constraint: e }],
    )
  }
  const state: ScanState = {
    scanId,
    sequence: { parts: { main: map }, sequence: ['main'] },
    allWrap: false,
    totalEvents,
    streams,
    status: 'running',
    createdAt: new Date().toISOString(),
  }
  await plane.set(plane.keys.scan(scanId), JSON.stringify(state))
  await plane.xadd(plane.keys.scanUpdates(), {
    [StreamField.update]: JSON.stringify({ type: 'started', scanId }),
  })
  return scanId
}

/** End a scan (`stopped`). */
export async function stopScan(plane: ControlPlane, scanId: ScanId): Promise<void> {
  await plane.xadd(plane.keys.scanUpdates(), {
    u: JSON.stringify({ type: 'stopped', scanId, reason: 'test' }),
  })
}

let seq = 0
/** Publish one assignment entry (defaults: nothing released, frontier 0). */
export async function publish(
  plane: ControlPlane,
  scanId: ScanId,
  partial: Partial<AssignmentEntry>,
): Promise<void> {
  const entry: AssignmentEntry = {
    seq: seq++,
    released: [0, 0],
    rerouted: [],
    routes: {},
    slots: [],
    workerSlots: {},
    completedFrontier: 0,
    ...partial,
  }
  await plane.xadd(plane.keys.assignments(scanId), {
    [StreamField.assignment]: JSON.stringify(entry),
  })
}

/** The messages of the ingester log stream. */
export async function logMessages(plane: ControlPlane): Promise<string[]> {
  return (await createLogStream(plane).recent(100)).map((l) => l.entry.message)
}

/** The JSON header of a STINS message. */
export function stinsHeader(parts: readonly Uint8Array[]): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(parts[0]))
}
