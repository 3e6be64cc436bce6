import {
  decodePayload,
  type Parameters,
  type ReducerHost,
  type ScanId,
  type WorkerName,
} from '../src/index.js'
import type { ResultAck } from '../src/protocol/data-plane-result-ack.js'
import type { ResultBatch, ResultItem } from '../src/protocol/data-plane-result-batch.js'
import { DedupSet } from './dedup-set.js'
import type { FailureLog, ReducerCall } from './failure-log.js'
import type { ReducerMetrics } from './reducer-metrics.js'
import type { ReducerSnapshot } from './reducer-snapshot.js'
import type { ScanDurability } from './scan-durability.js'
import { SessionBook } from './session-book.js'

/** Where a scan stands, as the reducer sees it. */
export type ScanRunStatus = 'running' | 'finished' | 'stopped' | 'failed'

/** What a scan's reduction did so far. */
export interface ScanCounts {
  /** Results passed to `processResult` (whether or not it threw). */
  reduced: number
  /** Items without a result (`done`). */
  done: number
  /** Items whose worker analysis failed. */
  workerFailed: number
  /** Results whose decoding or `processResult` failed. */
  failed: number
  /** Items dropped because their (event, slot) was already reduced. */
  duplicates: number
  /** Items dropped because they arrived after the scan ended. */
  late: number
}

/** What a {@link ScanRun} needs. */
export interface ScanRunOptions {
  readonly scanId: ScanId
  readonly module: string
  /** The user's instance; `undefined` when its constructor failed (results count as failed). */
  readonly host: ReducerHost | undefined
  /** Makes reductions durable and reports them complete; made by the run's owner. */
  readonly durability: (run: ScanRun) => ScanDurability
  /** Sends an acknowledgement to a worker (its routing id). */
  readonly ack: (to: Uint8Array, ack: ResultAck) => void
  /** What a previous reducer saved of this scan, to resume from. */
  readonly restored?: ReducerSnapshot | undefined
  readonly metrics: ReducerMetrics
  readonly failures: FailureLog
  readonly minDedupCompactSize: number
}

/**
 * One scan on the reducer: its analysis instance, its exactly-once filter, its completion
 * reports and its counts. The owner serialises every call ({@link SerialLane}).
 */
export class ScanRun {
  readonly scanId: ScanId
  readonly startedAt = Date.now()
  readonly dedup: DedupSet
  readonly sessions: SessionBook
  readonly completions: ScanDurability
  readonly counts: ScanCounts
  /** Aborts when the scan ends (stops its timer). */
  readonly #ended = new AbortController()
  #status: ScanRunStatus = 'running'
  #endedAt: number | undefined
  #reason: string | undefined
  #inHand = 0
  #stateUnsaved = false
  readonly #options: ScanRunOptions

  constructor(options: ScanRunOptions) {
    this.#options = options
    this.scanId = options.scanId
    const r = options.restored
    const dedupOptions = { minCompactSize: options.minDedupCompactSize }
    this.dedup =
      r === undefined
        ? new DedupSet(dedupOptions)
        : DedupSet.restore(r.dedup.floor, r.dedup.entries, dedupOptions)
    this.counts =
      r === undefined
        ? { reduced: 0, done: 0, workerFailed: 0, failed: 0, duplicates: 0, late: 0 }
        : { ...r.counts }
    this.sessions = new SessionBook(options.scanId, r?.sessions)
    this.completions = options.durability(this)
  }

  /**
   * The snapshot of this run now, without the sessions (see `ScanDurability`): synchronous,
   * taken between two reductions. An instance whose state cannot be saved is saved without it
   * (reported once): the scan goes on, but a restart would begin its analysis afresh.
   */
  capture(): Omit<ReducerSnapshot, 'sessions'> {
    let analysis: Uint8Array = new Uint8Array(0)
    const host = this.#options.host
    if (host !== undefined) {
      try {
        analysis = host.snapshotState()
      } catch (err) {
        if (!this.#stateUnsaved) this.#fail('snapshotState', err)
        this.#stateUnsaved = true
      }
    }
    return {
      v: 1,
      scanId: this.scanId,
      takenAt: Date.now(),
      analysis,
      dedup: { floor: this.dedup.floor, entries: this.dedup.entries() },
      counts: { ...this.counts },
    }
  }

  get status(): ScanRunStatus {
    return this.#status
  }

  /** Epoch ms when finish ran; undefined while running. */
  get endedAt(): number | undefined {
    return this.#endedAt
  }

  /** Why the scan ended early (`stopped`, `failed`). */
  get reason(): string | undefined {
    return this.#reason
  }

  /** Aborts when the scan ended. */
  get endedSignal(): AbortSignal {
    return this.#ended.signal
  }

  /** Items of the batch being reduced that are not handled yet. */
  get inHand(): number {
    return this.#inHand
  }

  /** Whether the instance has a `timer`. */
  get hasTimer(): boolean {
    return this.#options.host?.hasTimer ?? false
  }

  /** What the instance publishes (`{}` without an instance). */
  get publish(): unknown {
    return this.#options.host?.publish ?? {}
  }

  /**
   * Reduce one batch from the worker connection `from`: drop identities already reduced, run
   * `processResult` on each new result (one at a time, awaited), count `done`/`failed` items,
   * queue every item of the batch (duplicates too: the sender's completion must count, see
   * docs/reducer.md) for the completion report that follows the next snapshot, and acknowledge
   * the batch as reduced. Items after `signal` aborts are left alone (they will be redone).
   * User failures are logged and counted; this never rejects for them.
   */
  async reduce(
    batch: ResultBatch,
    from: Uint8Array,
    parameters: Parameters,
    signal: AbortSignal,
  ): Promise<void> {
    const { items, worker } = batch
    const c = this.counts
    if (this.#status !== 'running') {
      c.late += items.length
      this.#options.metrics.late.inc(items.length)
      return
    }
    const before = { ...c }
    for (let i = 0; i < items.length; i++) {
      if (signal.aborted) break
      this.#inHand = items.length - i
      const item = items[i]!
      const event = item.eventNumber
      if (!this.dedup.add(event, item.slot)) {
        c.duplicates++
        this.completions.complete(worker, event)
      } else if (item.outcome === 'result') {
        c.reduced++
        const ok = await this.#reduceOne(worker, item, parameters)
        if (!ok) c.failed++
        this.completions.complete(worker, event, !ok)
      } else if (item.outcome === 'failed') {
        c.workerFailed++
        this.completions.complete(worker, event, true)
      } else {
        c.done++
        this.completions.complete(worker, event)
      }
    }
    this.#inHand = 0
    this.#count(before)
    if (signal.aborted) return
    this.#options.ack(from, this.sessions.reduced(batch, from))
    this.completions.touched()
  }

  /** Run `timer`; resolves seconds until the next call (1 after a failure). */
  async timer(parameters: Parameters): Promise<number> {
    const host = this.#options.host
    if (host === undefined) return 1
    try {
      return await host.timer(parameters)
    } catch (err) {
      this.#fail('timer', err)
      return 1
    }
  }

  /**
   * End the scan: stop the timer, send the last completion report, run `finish`, and record
   * the outcome. Runs once; later calls do nothing.
   */
  async end(
    status: Exclude<ScanRunStatus, 'running'>,
    parameters: Parameters,
    reason?: string,
  ): Promise<void> {
    if (this.#status !== 'running') return
    this.#status = status
    this.#reason = reason
    this.#ended.abort()
    // Nothing is left to save: `finished` means every event was reported, which happens only
    // after a snapshot; a stopped scan is not resumed.
    try {
      await this.#options.host?.finish(parameters)
    } catch (err) {
      this.#fail('finish', err)
    }
    this.#endedAt = Date.now()
  }

  async #reduceOne(
    worker: WorkerName,
    item: Extract<ResultItem, { outcome: 'result' }>,
    parameters: Parameters,
  ): Promise<boolean> {
    const host = this.#options.host
    const eventNumber = item.eventNumber
    if (host === undefined) {
      this.#fail(
        'processResult',
        new Error('no reducer instance (its constructor failed)'),
        eventNumber,
      )
      return false
    }
    let payload: unknown
    try {
      payload = decodePayload(item.payload)
    } catch (err) {
      this.#fail('processResult', err, eventNumber)
      return false
    }
    const started = performance.now()
    try {
      await host.processResult(
        { eventNumber, worker, parametersHash: item.parametersHash, payload },
        parameters,
      )
      return true
    } catch (err) {
      this.#fail('processResult', err, eventNumber)
      return false
    } finally {
      this.#options.metrics.processResultSeconds.observe((performance.now() - started) / 1000)
    }
  }

  #fail(call: ReducerCall, err: unknown, eventNumber?: number): void {
    this.#options.metrics.failures.inc({ call })
    this.#options.failures.record(call, err, {
      scanId: this.scanId,
      module: this.#options.module,
      eventNumber,
    })
  }

  /** Metrics once per batch, from the difference of the counts. */
  #count(before: ScanCounts): void {
    const c = this.counts
    const m = this.#options.metrics
    const inc = (outcome: string, n: number): void => {
      if (n > 0) m.itemsIn.inc({ outcome }, n)
    }
    inc('result', c.reduced - before.reduced)
    inc('done', c.done - before.done)
    inc('failed', c.workerFailed - before.workerFailed)
    const dups = c.duplicates - before.duplicates
    if (dups > 0) m.duplicates.inc(dups)
  }
}
