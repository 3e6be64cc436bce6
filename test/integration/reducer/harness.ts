import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pino, { type Logger } from 'pino'
import { expect } from 'vitest'
import { createReducer, type Reducer, type ReducerOptionsInput } from '../../../reducer/index.js'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createMemoryControlPlane } from '../../../src/control/memory-control-plane.js'
import {
  encodePayload,
  eventNumber,
  ScanId,
  StreamField,
  WorkerName,
} from '../../../src/internal.js'
import { slot } from '../../../src/protocol/data-plane.js'
import type { ResultAck } from '../../../src/protocol/data-plane-result-ack.js'
import { ResultBatchBuilder } from '../../../src/protocol/data-plane-result-batch-builder.js'
import {
  type AssignmentEntry,
  CompletionReport,
  parseControlJson,
  type ScanState,
  type ScanUpdate,
} from '../../../src/protocol/scan-messages.js'
import type { CurveKeys } from '../../../src/transport/curve-keys.js'
import { createResultSender, type ResultSender } from '../../../src/transport/result-sender.js'

/** `path:Export` of a test reducer class. */
export function fixture(name: string): string {
  return `${fileURLToPath(new URL('./fixtures/test-reducers.ts', import.meta.url))}:${name}`
}

/** A logger that keeps its lines (see {@link captureLogger}). */
export interface CapturedLog {
  readonly logger: Logger
  readonly lines: Record<string, unknown>[]
  /** Lines at level error or above. */
  errors(): Record<string, unknown>[]
  /** Set by a test that expects errors: the scope's cleanup does not fail on them. */
  errorsExpected: boolean
}

/** A pino logger that keeps its lines; with a scope, unexpected errors fail the test. */
export function captureLogger(scope?: Scope): CapturedLog {
  const lines: Record<string, unknown>[] = []
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  )
  const log: CapturedLog = {
    logger,
    lines,
    errors: () => lines.filter((l) => Number(l.level) >= 50),
    errorsExpected: false,
  }
  scope?.watch(log)
  return log
}

/**
 * Owns what a test opens; `cleanup` closes it all in reverse order, then fails the test when a
 * watched logger logged an error the test did not expect.
 */
export class Scope {
  readonly #open: { close(o?: { force?: boolean }): Promise<void> }[] = []
  readonly #logs: CapturedLog[] = []

  watch(log: CapturedLog): void {
    this.#logs.push(log)
  }

  add<T extends { close(o?: { force?: boolean }): Promise<void> }>(thing: T): T {
    this.#open.push(thing)
    return thing
  }

  async cleanup(): Promise<void> {
    for (const s of this.#open.splice(0).reverse()) await s.close({ force: true })
    for (const log of this.#logs.splice(0)) {
      if (!log.errorsExpected) expect(log.errors()).toEqual([])
    }
  }
}

/** A started in-memory plane with a unique prefix. */
export async function memoryPlane(scope: Scope): Promise<ControlPlane> {
  const plane = scope.add(createMemoryControlPlane({ keyPrefix: `t-${randomUUID().slice(0, 8)}` }))
  await plane.start()
  return plane
}

/** Create and start a reducer on `plane` with a capturing logger and HTTP on port 0. */
export async function startReducer(
  scope: Scope,
  plane: ControlPlane,
  options: Partial<ReducerOptionsInput> = {},
): Promise<{ reducer: Reducer; log: CapturedLog }> {
  const log = captureLogger(scope)
  const reducer = scope.add(
    createReducer(
      { reducerModule: fixture('SumReducer'), httpPort: 0, heartbeatMs: 200, ...options },
      { plane, logger: log.logger },
    ),
  )
  await reducer.start()
  return { reducer, log }
}

/** The controller, faked: writes scan state, scan updates and assignment entries. */
export class FakeController {
  readonly #plane: ControlPlane

  constructor(plane: ControlPlane) {
    this.#plane = plane
  }

  /** Write a running ScanState; append `started` unless told not to. */
  async start(opts: { announce?: boolean; scanId?: string } = {}): Promise<ScanId> {
    const scanId = ScanId.parse(opts.scanId ?? randomUUID())
    await this.setState(scanId, 'running')
    if (opts.announce ?? true) await this.update({ type: 'started', scanId })
    return scanId
  }

  async setState(scanId: ScanId, status: ScanState['status']): Promise<void> {
    const state: ScanState = {
      scanId,
      sequence: {},
      allWrap: true,
      totalEvents: 100,
      streams: ['det'],
      status,
      createdAt: new Date().toISOString(),
    }
    await this.#plane.set(this.#plane.keys.scan(scanId), JSON.stringify(state))
  }

  async update(update: ScanUpdate): Promise<void> {
    await this.#plane.xadd(this.#plane.keys.scanUpdates(), {
      [StreamField.update]: JSON.stringify(update),
    })
  }

  async finish(scanId: ScanId): Promise<void> {
    await this.setState(scanId, 'finished')
    await this.update({ type: 'finished', scanId })
  }

  async stop(scanId: ScanId, reason = 'operator'): Promise<void> {
    await this.setState(scanId, 'stopped')
    await this.update({ type: 'stopped', scanId, reason })
  }

  async assign(scanId: ScanId, seq: number, completedFrontier: number): Promise<void> {
    const entry: AssignmentEntry = {
      seq,
      released: [0, completedFrontier],
      rerouted: [],
      routes: {},
      slots: [],
      workerSlots: {},
      completedFrontier,
    }
    await this.#plane.xadd(this.#plane.keys.assignments(scanId), {
      [StreamField.assignment]: JSON.stringify(entry),
    })
  }

  /** Every completion report of the scan so far. */
  async completions(scanId: ScanId): Promise<CompletionReport[]> {
    const entries = await this.#plane.xrange(this.#plane.keys.completions(scanId))
    return entries.map((e) =>
      parseControlJson(CompletionReport, e.fields.get(StreamField.message), 'completion'),
    )
  }

  /** Per worker, the sorted events the reports cover (each once), and the failed count. */
  async completed(scanId: ScanId): Promise<{ events: Record<string, number[]>; failed: number }> {
    const events: Record<string, number[]> = {}
    let failed = 0
    for (const report of await this.completions(scanId)) {
      failed += report.failed
      for (const [worker, ranges] of report.done) {
        const list = events[worker] ?? []
        events[worker] = list
        for (const [from, to] of ranges) for (let e = from; e < to; e++) list.push(e)
      }
    }
    for (const list of Object.values(events)) list.sort((a, b) => a - b)
    return { events, failed }
  }
}

/** One item a fake worker reports. */
export type FakeItem =
  | { event: number; slot: number; value?: number; boom?: boolean }
  | { event: number; slot: number; outcome: 'done' | 'failed' }

/** A worker, faked: a real DEALER sending real result batches, collecting the acks. */
export class FakeWorker {
  readonly name: WorkerName
  /** This fake's session (one for every scan it sends to). */
  readonly session = `fake-${Math.random().toString(36).slice(2, 10)}`
  /** Acknowledgements received, in order. */
  readonly acks: ResultAck[] = []
  #sender: ResultSender | undefined
  #seq = 0

  private constructor(name: string) {
    this.name = WorkerName.parse(name)
  }

  static async connect(
    scope: Scope,
    name: string,
    endpoint: string,
    curve?: CurveKeys,
  ): Promise<FakeWorker> {
    const worker = new FakeWorker(name)
    const sender = scope.add(
      createResultSender({
        endpoint,
        curve,
        routingId: `${name}/${worker.session}`,
        onAck: (ack) => worker.acks.push(ack),
      }),
    )
    worker.#sender = sender
    await sender.start()
    return worker
  }

  /** The newest `durable` mark the reducer acknowledged (-1: none). */
  get durable(): number {
    return this.acks.reduce((m, a) => Math.max(m, a.durable), -1)
  }

  /** Batches sent so far (the next one's number). */
  get batches(): number {
    return this.#seq
  }

  async send(scanId: ScanId, items: readonly FakeItem[], hash = 'h0'): Promise<void> {
    const b = new ResultBatchBuilder(scanId, this.name, this.session)
    for (const item of items) {
      const e = eventNumber(item.event)
      const s = slot(item.slot)
      if ('outcome' in item) {
        if (item.outcome === 'done') b.done(e, s, hash)
        else b.failed(e, s, hash)
      } else {
        const payload = item.boom ? { boom: true } : { value: item.value ?? 1 }
        b.result(e, s, hash, encodePayload(payload))
      }
    }
    await this.#sender!.send(b.finish(this.#seq++, 0))
  }
}

/** `[from, to)` as items of one slot with value 1. */
export function items(from: number, to: number, slotNumber: number): FakeItem[] {
  return Array.from({ length: to - from }, (_, i) => ({ event: from + i, slot: slotNumber }))
}

/** Expect no error-level log line. */
export function expectNoErrors(log: CapturedLog): void {
  expect(log.errors()).toEqual([])
}
