import {
  type CallOutcome,
  callFailure,
  type FailureLog,
  nextTimerS,
  type Parameters,
  type ReducerRunner,
  type ResultAck,
  type ResultBatch,
  type ResultItem,
  type RunnerResult,
  type ScanId,
  type WorkerName,
} from '../src/internal.js'
import { DedupSet } from './dedup-set.js'
import { type ReducerCall, reportFailure } from './reducer-failure.js'
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
  /** Results whose decoding or `processResult` failed (or overran its time limit). */
  failed: number
  /** Items dropped because their (event, slot) was already reduced. */
  duplicates: number
  /** Items dropped because they arrived after the scan ended. */
  late: number
}

/** The reducer's analysis as a scan uses it: the current runner, and a way to replace it. */
export interface RunnerHolder {
  /** The runner now (its instance is this scan's once the run began). */
  readonly current: ReducerRunner
  /**
   * A new runner with a new instance of the class for this scan (`begin` done), the old one
   * stopped. Rejects when no runner can be made.
   */
  replace(reason: string): Promise<ReducerRunner>
}

/** What a {@link ScanRun} needs. */
export interface ScanRunOptions {
  readonly scanId: ScanId
  readonly module: string
  readonly analysis: RunnerHolder
  /** The constructor's error for this scan, if it threw (results then fail). */
  readonly beginError?: Error | undefined
  /** Makes reductions durable and reports them complete; made by the run's owner. */
  readonly durability: (run: ScanRun) => ScanDurability
  /** Sends an acknowledgement to a worker (its routing id). */
  readonly ack: (to: Uint8Array, ack: ResultAck) => void
  /** What a previous reducer saved of this scan, to resume from (already put into the instance). */
  readonly restored?: ReducerSnapshot | undefined
  readonly metrics: ReducerMetrics
  readonly failures: FailureLog
  /** Something operators must see (the shared log at WARNING). */
  readonly warn: (message: string) => void
  readonly minDedupCompactSize: number
}

/**
 * One scan on the reducer: its analysis (through a runner), its exactly-once filter, its
 * completion reports and its counts. The owner serialises every call ({@link SerialLane}).
 *
 * When a call kills the runner (a `processResult` or `timer` over its time limit, a Python host
 * that died), the run puts a new one in its place, gives it the last snapshot's state and the
 * results reduced since (the tail), and goes on: the result that killed it is failed with the
 * reason, the others are reduced as if nothing happened.
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
  /** The state of the last snapshot taken, and the results reduced since (to replay). */
  #lastState: Uint8Array
  #tail: RunnerResult[] = []
  #recoveries = 0
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
    this.#lastState = r?.analysis ?? new Uint8Array(0)
    this.sessions = new SessionBook(options.scanId, r?.sessions)
    this.completions = options.durability(this)
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

  /** Times the analysis was replaced after a call killed it. */
  get recoveries(): number {
    return this.#recoveries
  }

  /** Whether the instance has a `timer`. */
  get hasTimer(): boolean {
    return this.#options.beginError === undefined && this.#options.analysis.current.hasTimer
  }

  /** What the instance publishes. */
  get publish(): unknown {
    return this.#options.analysis.current.publish()
  }

  /**
   * The snapshot of this run now, without the sessions (see `ScanDurability`): taken between two
   * reductions (in the lane). An instance whose state cannot be saved is saved without it
   * (reported once): the scan goes on, but a restart would begin its analysis afresh.
   */
  async capture(): Promise<Omit<ReducerSnapshot, 'sessions'>> {
    let analysis: Uint8Array = new Uint8Array(0)
    if (this.#options.beginError === undefined) {
      try {
        analysis = await this.#options.analysis.current.snapshotState()
      } catch (err) {
        if (!this.#stateUnsaved) this.#fail('snapshotState', err)
        this.#stateUnsaved = true
      }
    }
    this.#lastState = analysis
    this.#tail = []
    return {
      v: 1,
      scanId: this.scanId,
      takenAt: Date.now(),
      analysis,
      dedup: { floor: this.dedup.floor, entries: this.dedup.entries() },
      counts: { ...this.counts },
    }
  }

  /**
   * Reduce one batch from the worker connection `from`: {@link reduceMany} of that batch alone.
   */
  reduce(
    batch: ResultBatch,
    from: Uint8Array,
    parameters: Parameters,
    signal: AbortSignal,
  ): Promise<void> {
    return this.reduceMany([{ batch, from }], parameters, signal)
  }

  /**
   * Reduce batches (each with the worker connection `from` it came on), in order: drop
   * identities already reduced, run `processResult` on the new results (in order, one at a time,
   * in one call of the runner for all the batches), count `done`/`failed` items, queue every item
   * (duplicates too: the sender's completion must count, see docs/reducer.md) for the completion
   * report that follows the next snapshot, and acknowledge each worker session once, after its
   * last batch (acknowledgements are cumulative). Items after `signal` aborts are left alone (they
   * will be redone). User failures are logged and counted; this never rejects for them.
   */
  async reduceMany(
    batches: readonly { readonly batch: ResultBatch; readonly from: Uint8Array }[],
    parameters: Parameters,
    signal: AbortSignal,
  ): Promise<void> {
    const c = this.counts
    if (this.#status !== 'running') {
      const n = batches.reduce((sum, b) => sum + b.batch.items.length, 0)
      c.late += n
      this.#options.metrics.late.inc(n)
      return
    }
    const before = { ...c }
    const wire: RunnerResult[] = []
    const results: Extract<ResultItem, { outcome: 'result' }>[] = []
    const workers: WorkerName[] = []
    const seen = new Set<string>()
    for (const { batch } of batches) {
      const worker = batch.worker
      for (const item of batch.items) {
        const event = item.eventNumber
        const key = `${event}:${item.slot}`
        if (this.dedup.has(event, item.slot) || seen.has(key)) {
          c.duplicates++
          this.completions.complete(worker, event)
          continue
        }
        seen.add(key)
        if (item.outcome === 'result') {
          results.push(item)
          workers.push(worker)
          wire.push({
            eventNumber: item.eventNumber,
            worker,
            parametersHash: item.parametersHash,
            payload: item.payload,
          })
        } else {
          this.dedup.add(event, item.slot)
          if (item.outcome === 'failed') {
            c.workerFailed++
            this.completions.complete(worker, event, true, item.stream)
          } else {
            c.done++
            this.completions.complete(worker, event)
          }
        }
      }
    }
    if (results.length > 0 && !signal.aborted)
      await this.#reduceResults(results, workers, wire, parameters)
    this.#inHand = 0
    this.#count(before)
    if (signal.aborted) return
    // One acknowledgement per worker session and connection: acknowledgements are cumulative,
    // so the one after its last batch covers the others.
    const acks = new Map<string, { to: Uint8Array; ack: ResultAck }>()
    for (const { batch, from } of batches) {
      const peer = Buffer.from(from.buffer, from.byteOffset, from.byteLength).toString('latin1')
      acks.set(`${batch.session}\u0000${peer}`, {
        to: from,
        ack: this.sessions.reduced(batch, from),
      })
    }
    for (const { to, ack } of acks.values()) this.#options.ack(to, ack)
    this.completions.touched()
  }

  /** Run `timer`; resolves seconds until the next call (1 after a failure). */
  async timer(parameters: Parameters): Promise<number> {
    if (this.#options.beginError !== undefined) return 1
    const runner = this.#options.analysis.current
    const out = await runner.timer(parameters)
    const failure = callFailure(out)
    if (failure !== undefined) this.#fail('timer', new Error(failure))
    if (!runner.alive)
      await this.#recover(`timer() ${out.kind}: ${'reason' in out ? out.reason : ''}`, parameters)
    return nextTimerS(out)
  }

  /**
   * End the scan: stop the timer, run `finish`, and record the outcome. Runs once; later calls
   * do nothing.
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
    if (this.#options.beginError === undefined) {
      try {
        await this.#options.analysis.current.finish(parameters)
      } catch (err) {
        this.#fail('finish', err)
      }
    }
    this.#endedAt = Date.now()
  }

  /**
   * `processResult` on `results` through the runner. A runner that a result kills is replaced
   * (see the class doc); the results after it are run again one at a time, so each is judged
   * on its own time.
   */
  async #reduceResults(
    results: readonly Extract<ResultItem, { outcome: 'result' }>[],
    workers: readonly WorkerName[],
    wire: readonly RunnerResult[],
    parameters: Parameters,
  ): Promise<void> {
    let pending = wire.map((_, i) => i)
    let single = false
    while (pending.length > 0) {
      this.#inHand = pending.length
      const take = single ? pending.slice(0, 1) : pending
      const outcomes = await this.#run(
        take.map((i) => wire[i]!),
        parameters,
      )
      const again: number[] = []
      take.forEach((i, k) => {
        const o = outcomes[k] ?? { kind: 'skipped' }
        if (o.kind === 'skipped') again.push(i)
        else this.#settle(workers[i]!, results[i]!, wire[i]!, o)
      })
      again.push(...pending.slice(take.length))
      const runner = this.#options.analysis.current
      if (!runner.alive) {
        const why = outcomes.find((o) => o.kind === 'timeout' || o.kind === 'crashed')
        await this.#recover(
          why !== undefined && 'reason' in why ? why.reason : 'the analysis stopped',
          parameters,
        )
        single = true
      }
      pending = again
    }
  }

  async #run(results: RunnerResult[], parameters: Parameters): Promise<CallOutcome[]> {
    if (this.#options.beginError !== undefined) {
      const reason = `no reducer instance (its constructor failed: ${this.#options.beginError.message})`
      return results.map(() => ({ kind: 'failed', reason }))
    }
    const started = performance.now()
    const outcomes = await this.#options.analysis.current.processResults(results, parameters)
    const each = (performance.now() - started) / 1000 / Math.max(1, results.length)
    for (const o of outcomes)
      if (o.kind !== 'skipped') this.#options.metrics.processResultSeconds.observe(each)
    return outcomes
  }

  /** One result's final outcome: counted, remembered for a replay, reported complete. */
  #settle(
    worker: WorkerName,
    item: Extract<ResultItem, { outcome: 'result' }>,
    wire: RunnerResult,
    outcome: CallOutcome,
  ): void {
    const c = this.counts
    const event = item.eventNumber
    this.dedup.add(event, item.slot)
    c.reduced++
    // The rule `replay` follows too: a call that returned reduced it, anything else failed it.
    const failure = callFailure(outcome)
    const ok = failure === undefined
    if (!ok) {
      c.failed++
      this.#fail('processResult', new Error(failure), event)
    }
    // The instance saw it (a throw may have left traces): a replay shows it again.
    if (outcome.kind !== 'timeout' && outcome.kind !== 'crashed') this.#tail.push(wire)
    this.completions.complete(worker, event, !ok)
  }

  /**
   * Replace the analysis after a call killed it: a new instance, the last snapshot's state put
   * back, the results reduced since replayed. What the old instance did after the snapshot is
   * redone; nothing is reduced twice into the new one.
   */
  async #recover(reason: string, parameters: Parameters): Promise<void> {
    this.#recoveries++
    const runner = await this.#options.analysis.replace(reason)
    try {
      if (this.#lastState.byteLength > 0) await runner.restoreState(this.#lastState)
      if (this.#tail.length > 0) await runner.processResults(this.#tail, parameters)
    } catch (err) {
      this.#fail('restoreState', err)
    }
    this.#options.warn(
      `reducer analysis of scan ${this.scanId} replaced: ${reason}; restored from its last snapshot and ${this.#tail.length} result${this.#tail.length === 1 ? '' : 's'} reduced again`,
    )
  }

  #fail(call: ReducerCall, err: unknown, eventNumber?: number): void {
    this.#options.metrics.failures.inc({ call })
    reportFailure(this.#options.failures, call, err, {
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
