import type { CompletionReport, ControlPlane, ResultAck } from '../src/internal.js'
import { type ScanId, StreamField, Wakeup, type WorkerName } from '../src/internal.js'
import { CompletionBatch } from './completion-batch.js'
import { encodeReducerSnapshot, type ReducerSnapshot } from './reducer-snapshot.js'
import type { SessionBook, SessionMark } from './session-book.js'

/** Options of {@link ScanDurability}. */
export interface ScanDurabilityOptions {
  readonly plane: ControlPlane
  readonly scanId: ScanId
  readonly sessions: SessionBook
  /** Run `task` in the reducer's lane (between two reductions); `undefined` when closed. */
  readonly inLane: <T>(task: () => Promise<T>) => Promise<T | undefined>
  /** The snapshot without `sessions` (called in the lane). */
  readonly capture: () => Promise<Omit<ReducerSnapshot, 'sessions'>>
  /** Send an acknowledgement to a worker's routing id. */
  readonly ack: (to: Uint8Array, ack: ResultAck) => void
  /** Shortest time between two snapshots, ms; it grows to 20× what a snapshot costs. */
  readonly intervalMs: number
  /** Take the snapshot this soon after the last batch when nothing else arrives, ms. */
  readonly idleMs: number
  readonly onReport?: (report: CompletionReport, costMs: number) => void
}

/**
 * Makes one scan's reductions durable (DESIGN.md "The reducer is the one stateful place"):
 * after results were reduced it takes a snapshot of the reducer's state, writes it to the
 * control plane, and only then reports those events complete to the controller and tells the
 * workers they may forget the batches. So "complete" always means "reduced and saved", the
 * ingesters keep the frames and the workers the results of everything a restarted reducer
 * would not have, and a restart re-reduces at most what arrived since the last snapshot.
 *
 * Snapshots follow the work: one when results stopped arriving for `idleMs` (end of a burst,
 * end of the scan), else at most one per interval (at least `intervalMs`, and 20× the cost of
 * the last one, so saving never takes more than about 5 % of the reducer's time).
 */
export class ScanDurability {
  readonly #o: ScanDurabilityOptions
  readonly #key: string
  readonly #completionsKey: string
  readonly #pending = new CompletionBatch()
  #dirty = false
  #lastBatchAt = 0
  #lastSnapshotAt = 0
  #costMs = 0
  readonly #wake = new Wakeup()
  #snapshots = 0
  #tail: Promise<void> = Promise.resolve()

  constructor(options: ScanDurabilityOptions) {
    this.#o = options
    this.#key = options.plane.keys.reducerState(options.scanId)
    this.#completionsKey = options.plane.keys.completions(options.scanId)
  }

  /** Events reduced but not yet reported (waiting for the next snapshot). */
  get pending(): number {
    return this.#pending.events
  }

  /** Snapshots written so far, and the CPU time of the last one (capture + encoding), ms. */
  get stats(): { snapshots: number; lastCostMs: number } {
    return { snapshots: this.#snapshots, lastCostMs: this.#costMs }
  }

  /**
   * `worker`'s `event` was reduced (or dropped as a duplicate, or failed, on `stream` when
   * known): report it later.
   */
  complete(worker: WorkerName, event: number, failed = false, stream?: string): void {
    this.#pending.add(worker, event, failed, stream)
  }

  /** A batch was reduced: a snapshot is due. */
  touched(): void {
    this.#dirty = true
    this.#lastBatchAt = performance.now()
    this.#wake.notify()
  }

  /** The loop that takes snapshots while the scan runs; ends when `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.#dirty) {
        await this.#wake.wait(signal)
        continue
      }
      const due = this.#dueAt()
      const now = performance.now()
      if (now < due) {
        // A batch meanwhile only moves the idle deadline later: looked at again when due.
        await this.#wake.wait(signal, Math.max(1, Math.ceil(due - now)))
        continue
      }
      await this.save()
    }
  }

  /** Take and write a snapshot now if anything changed since the last; resolves when written. */
  save(): Promise<void> {
    this.#tail = this.#tail.then(() => this.#save())
    return this.#tail
  }

  #dueAt(): number {
    const interval = Math.max(this.#o.intervalMs, 20 * this.#costMs)
    const byInterval = this.#lastSnapshotAt + interval
    const byIdle = Math.max(
      this.#lastBatchAt + this.#o.idleMs,
      this.#lastSnapshotAt + 5 * this.#costMs,
    )
    return Math.min(byInterval, byIdle)
  }

  async #save(): Promise<void> {
    if (!this.#dirty) return
    const { plane, sessions } = this.#o
    // State, marks and report are taken in one lane turn, so they describe the same moment; the
    // cost that paces snapshots is the CPU time of that turn (capture and encoding), not the
    // wait for the lane or for the write.
    const taken = await this.#o.inLane(async () => {
      const started = performance.now()
      this.#dirty = false
      const captured = await this.#o.capture()
      const marks: SessionMark[] = sessions.marks()
      const bytes = encodeReducerSnapshot({ ...captured, sessions: marks })
      const report = this.#pending.take()
      return { bytes, marks, report, costMs: performance.now() - started }
    })
    if (taken === undefined) return
    const { bytes, marks, report, costMs } = taken
    await plane.set(this.#key, bytes)
    if (report !== undefined)
      await plane.xadd(this.#completionsKey, { [StreamField.message]: JSON.stringify(report) })
    for (const { to, ack } of sessions.durable(marks)) this.#o.ack(to, ack)
    this.#lastSnapshotAt = performance.now()
    this.#costMs = costMs
    this.#snapshots++
    if (report !== undefined) this.#o.onReport?.(report, costMs)
  }
}
