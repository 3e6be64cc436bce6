import type { Logger } from 'pino'
import type { z } from 'zod'
import { type ControlPlane, STREAM_START } from '../control/control-plane.js'
import { followStream } from '../control/follow-stream.js'
import { isBeamloomError, StateError } from '../errors.js'
import {
  Assigner,
  type AssignerOptions,
  type AssignmentBatch,
  GENERIC_TAG,
  type ScanPlan,
} from '../mapping/index.js'
import { type WorkerName, workerName } from '../protocol/ids.js'
import {
  CompletionReport,
  type CreditRequest,
  type EventFault,
  parseControlJson,
  type ScanState,
  WorkerToController,
} from '../protocol/scan-messages.js'
import { StreamField } from '../protocol/stream-field.js'
import { ServiceBase } from '../service/service-base.js'
import { EntryBuilder, toAssignmentEntry } from './entry-builder.js'
import { type JournalInput, readJournal, type ScanJournal } from './scan-journal.js'
import { SlotBook } from './slot-book.js'
import { WorkRecord } from './work-record.js'
import { WorkerLoadTracker } from './worker-load.js'

/** A worker as a scan run needs it. */
export interface RunWorker {
  readonly name: string
  readonly tags: readonly string[]
  readonly instanceId: string
}

/** Options of {@link ScanRun}. */
export interface ScanRunOptions {
  readonly plane: ControlPlane
  readonly state: ScanState
  readonly plan: ScanPlan
  readonly assigner: AssignerOptions
  readonly logger: Logger
  /** Called once, synchronously, when every event is complete. */
  readonly onFinished: (run: ScanRun) => void
  /** A live worker by name (a credit may arrive before the registry watch reports the join). */
  readonly lookupWorker: (name: string) => Promise<RunWorker | undefined>
  /** Attempts an event gets before it fails for good (default 2). */
  readonly maxAttempts?: number
  /** An event failed for good after `attempts` faults (the last on `worker`). */
  readonly onEventFailed?: (event: number, worker: string, attempts: number, reason: string) => void
  /** An event's attempt failed on `worker`; another worker gets it. */
  readonly onEventRetried?: (
    event: number,
    worker: string,
    attempts: number,
    reason: string,
  ) => void
}

/** Attempts an event gets by default before it fails for good (issue 12: "N workers"). */
export const DEFAULT_MAX_ATTEMPTS = 2

/** Counters of one scan run. */
export interface ScanRunStats {
  readonly entries: number
  readonly eventsAssigned: number
  readonly completionsAccepted: number
  readonly failedEvents: number
  readonly creditRequests: number
}

/**
 * One scan as the controller drives it: the `Assigner`, the loops over `credits(scanId)` and
 * `completions(scanId)`, and the publisher of `AssignmentEntry` records (one xadd at a time;
 * what accumulates meanwhile is folded into the next entry). Every input is journalled next to
 * the entry it produced, so {@link ScanRun.replay} can rebuild the assigner after a restart.
 */
export class ScanRun extends ServiceBase {
  /** The scan's state as it was when the run began. */
  readonly scan: ScanState
  readonly assigner: Assigner
  readonly load = new WorkerLoadTracker()
  /** Who completed what and the constraint bindings, for `GET /api/v1/status`. */
  readonly work: WorkRecord
  readonly #o: ScanRunOptions
  readonly #slots = new SlotBook()
  readonly #members = new Map<string, string>()
  /** Rebuilding from the journal: what happened then was reported then. */
  #replaying = false
  /** Failed attempts per event still in play (timeouts, crashes). */
  readonly #attempts = new Map<number, number>()
  #builder: EntryBuilder
  #seq = 0
  #releasedTo = 0
  #finished = false
  #wake: (() => void) | undefined
  readonly #failedStreams = new Map<string, number>()
  #stats = {
    entries: 0,
    eventsAssigned: 0,
    completionsAccepted: 0,
    failedEvents: 0,
    creditRequests: 0,
  }

  constructor(options: ScanRunOptions) {
    super(`scan ${options.state.scanId}`)
    this.#o = options
    this.scan = options.state
    this.assigner = new Assigner(options.plan, options.assigner)
    this.work = new WorkRecord(this.assigner)
    this.#builder = new EntryBuilder(this.assigner, {
      credits: STREAM_START,
      completions: STREAM_START,
    })
  }

  /** Whether every event is complete. */
  get finished(): boolean {
    return this.#finished
  }

  /** Counters so far. */
  get stats(): ScanRunStats {
    return { ...this.#stats }
  }

  /** Failed events by the stream they failed on, as the reducer reported them. */
  get failedStreams(): ReadonlyMap<string, number> {
    return this.#failedStreams
  }

  /** Workers in the scan, with their registry instance ids. */
  get members(): ReadonlyMap<string, string> {
    return this.#members
  }

  /** Own slot of every worker that joined the scan. */
  slots(): Record<string, number> {
    return this.#slots.all()
  }

  /**
   * Rebuild the run from the journal in `assignments(scanId)` (before `start`): the assigner gets
   * the same inputs in the same order, so it is where the previous controller left it; the loops
   * continue after the last credit request and completion report it had applied.
   * @throws StateError `STATE_INVALID` when the journal is missing or does not reproduce the
   *   published entries.
   */
  async replay(): Promise<void> {
    this.#replaying = true
    try {
      await this.#replayJournal()
    } finally {
      this.#replaying = false
    }
  }

  async #replayJournal(): Promise<void> {
    for await (const { entry, journal } of readJournal(this.#o.plane, this.scan.scanId)) {
      // An entry appended twice (a command resent after a lost connection) is applied once.
      if (entry.seq < this.#seq) continue
      for (const input of journal.inputs) this.#apply(input)
      this.#builder.cursor('credits', journal.credits)
      this.#builder.cursor('completions', journal.completions)
      this.#builder.take()
      if (entry.seq !== this.#seq)
        throw new StateError(`${this.name}: entry ${entry.seq} out of order`)
      this.#seq = entry.seq + 1
      this.#releasedTo = entry.released[1]
    }
    if (this.assigner.releasedFrontier !== this.#releasedTo) {
      throw new StateError(
        `${this.name}: the journal gives released frontier ${this.assigner.releasedFrontier}, the entries ${this.#releasedTo}`,
      )
    }
  }

  /** Add a live worker (idempotent for the same instance; a new instance replaces the old). */
  addWorker(worker: RunWorker): void {
    const known = this.#members.get(worker.name)
    if (known === worker.instanceId) return
    if (known !== undefined) this.removeWorker(worker.name)
    const tags = worker.tags.length > 0 ? [...worker.tags] : [GENERIC_TAG]
    this.#apply(['add', worker.name, tags, worker.instanceId])
    this.#notify()
  }

  /** Remove a worker that left or expired (no-op for a worker not in the scan). */
  removeWorker(name: string): void {
    if (!this.#members.has(name)) return
    this.#apply(['remove', name])
    this.#notify()
  }

  protected override async onStart(): Promise<void> {
    const { plane } = this.#o
    const id = this.scan.scanId
    this.addCloseStep('publish remaining entries', async ({ force }) => {
      if (!force && plane.state === 'running') await this.#publish()
    })
    const open = this.#builder.open
    this.spawn('credits', async (signal) => {
      for await (const e of followStream(plane, plane.keys.credits(id), {
        signal,
        after: open.credits,
      })) {
        const req = this.#parse(
          WorkerToController,
          e.fields.get(StreamField.message),
          'credit request',
        )
        if (req !== undefined && 'fault' in req) await this.#fault(req)
        else if (req !== undefined) await this.#credit(req)
        this.#builder.cursor('credits', e.id)
      }
    })
    this.spawn('completions', async (signal) => {
      const key = plane.keys.completions(id)
      for await (const e of followStream(plane, key, { signal, after: open.completions })) {
        const report = this.#parse(
          CompletionReport,
          e.fields.get(StreamField.message),
          'completion report',
        )
        if (report !== undefined) this.#complete(report)
        this.#builder.cursor('completions', e.id)
        if (this.#checkFinished()) return
      }
    })
    this.spawn('publisher', async (signal) => {
      while (!signal.aborted) {
        await this.#publish()
        if (this.#builder.waiting > 0 || signal.aborted) continue
        await new Promise<void>((resolve) => {
          const done = (): void => {
            signal.removeEventListener('abort', done)
            this.#wake = undefined
            resolve()
          }
          this.#wake = done
          signal.addEventListener('abort', done, { once: true })
        })
      }
    })
    this.#checkFinished()
  }

  async #publish(): Promise<void> {
    for (const d of this.#builder.take()) {
      const entry = toAssignmentEntry(d, this.#seq, this.#releasedTo)
      const journal: ScanJournal = {
        inputs: d.inputs,
        credits: d.credits,
        completions: d.completions,
      }
      await this.#o.plane.xadd(this.#o.plane.keys.assignments(this.scan.scanId), {
        [StreamField.assignment]: JSON.stringify(entry),
        [StreamField.journal]: JSON.stringify(journal),
      })
      this.#seq += 1
      this.#releasedTo = entry.released[1]
      this.#stats.entries += 1
    }
  }

  async #credit(req: CreditRequest): Promise<void> {
    this.#stats.creditRequests += 1
    if (!this.#members.has(req.worker)) {
      const info = await this.#o.lookupWorker(req.worker)
      if (info === undefined) {
        this.#o.logger.debug({ worker: req.worker }, 'credits from a worker not live: ignored')
        return
      }
      this.addWorker(info)
    }
    this.#apply(['credit', req.worker, req.credits])
    this.#notify()
  }

  /** A worker could not process an event: another worker tries, or it fails for good. */
  async #fault(req: EventFault): Promise<void> {
    if (!this.#members.has(req.worker)) return
    const { event, kind, reason } = req.fault
    this.#apply(['fault', req.worker, event, `${kind}: ${reason}`])
    this.#notify()
  }

  #complete(report: CompletionReport): void {
    this.#stats.failedEvents += report.failed
    for (const [stream, n] of Object.entries(report.failedStreams ?? {})) {
      this.#failedStreams.set(stream, (this.#failedStreams.get(stream) ?? 0) + n)
    }
    for (const [worker, ranges] of report.done) this.#apply(['complete', worker, ranges])
    this.#builder.frontier()
    this.#notify()
  }

  /** Apply one input to the assigner, recording it in the journal. */
  #apply(input: JournalInput): void {
    const b = this.#builder
    switch (input[0]) {
      case 'add': {
        const [, name, tags, instanceId] = input
        const w = workerName(name)
        this.assigner.addWorker(w, tags)
        this.#members.set(name, instanceId)
        b.workerSlot(name, this.#slots.add(w))
        break
      }
      case 'remove': {
        const removal = this.assigner.removeWorker(workerName(input[1]))
        this.#members.delete(input[1])
        this.#slots.remove(removal)
        this.#batch(removal.batch)
        break
      }
      case 'credit':
        this.#batch(this.assigner.request(workerName(input[1]), input[2]))
        break
      case 'complete': {
        const [, worker, ranges] = input
        const accepted = this.work.accepted(worker, ranges, this.#members.has(worker))
        const result = this.assigner.complete(workerName(worker), ranges)
        this.work.completed(worker, accepted)
        this.#stats.completionsAccepted += result.accepted
        const last = ranges.reduce((m, r) => Math.max(m, r[1] - 1), -1)
        this.load.record(worker, result.accepted, last)
        this.#batch(result.batch)
        this.#slots.prune(result.completedFrontier)
        break
      }
      case 'fault': {
        const [, worker, event, reason] = input
        this.#onFault(workerName(worker), event, reason)
        break
      }
    }
    this.work.observe()
    b.input(input)
  }

  /**
   * An event's attempt failed on `worker`. Below the attempt limit the event goes to another
   * worker (its constraint is handed back; a broadcast place is dropped, which ends it for that
   * worker); at the limit it is complete, failed, never handed on again.
   */
  #onFault(worker: WorkerName, event: number, reason: string): void {
    const attempts = (this.#attempts.get(event) ?? 0) + 1
    this.#attempts.set(event, attempts)
    const limit = this.#o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS
    if (attempts >= limit) {
      const result = this.assigner.complete(worker, [[event, event + 1]])
      if (result.accepted > 0) {
        this.#stats.failedEvents += 1
        this.#attempts.delete(event)
        if (!this.#replaying) this.#o.onEventFailed?.(event, worker, attempts, reason)
      }
      this.#batch(result.batch)
      this.#slots.prune(result.completedFrontier)
      return
    }
    const { retry, batch } = this.assigner.retry(worker, event)
    if (retry.kind === 'handed-back') this.#slots.handBack(worker, retry.events.ranges())
    if (retry.kind === 'dropped') {
      this.#stats.failedEvents += 1
      this.#attempts.delete(event)
      if (!this.#replaying) this.#o.onEventFailed?.(event, worker, attempts, reason)
    } else if (retry.kind === 'handed-back' && !this.#replaying) {
      this.#o.onEventRetried?.(event, worker, attempts, reason)
    }
    this.#batch(batch)
  }

  #batch(batch: AssignmentBatch): void {
    for (const g of batch.grants) this.#stats.eventsAssigned += g.eventCount
    this.#builder.batch(batch, this.#slots.grant(batch.grants))
  }

  #checkFinished(): boolean {
    if (this.#finished || !this.assigner.finished) return this.#finished
    this.#finished = true
    this.#o.onFinished(this)
    return true
  }

  /**
   * Something changed: wake the publisher, and end the run if that completed it. The last event
   * can complete through any input, not only a completion report: a fault at the attempt limit
   * or a removed worker's dropped broadcast place.
   */
  #notify(): void {
    this.#checkFinished()
    this.#wake?.()
  }

  #parse<S extends z.ZodType>(
    schema: S,
    bytes: Uint8Array | undefined,
    what: string,
  ): z.output<S> | undefined {
    try {
      return parseControlJson(schema, bytes, what)
    } catch (err) {
      if (!isBeamloomError(err, 'PROTOCOL_INVALID')) throw err
      this.#o.logger.warn({ scanId: this.scan.scanId, err: err.message }, `${what} skipped`)
      return undefined
    }
  }
}
