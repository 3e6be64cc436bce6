import type {
  ControlPlane,
  EventBatch,
  FailureLog,
  Logger,
  ParameterTracker,
  ResultAck,
} from '../src/internal.js'
import {
  AssignmentEntry,
  type CallOutcome,
  type CreditRequest,
  type EventFault,
  type EventVerdict,
  followStream,
  type Parameters,
  ProtocolError,
  parseControlJson,
  type RunnerEvent,
  runEvents,
  type ScanId,
  ServiceBase,
  STREAM_START,
  StreamField,
  toError,
  Wakeup,
  type WorkerName,
} from '../src/internal.js'
import type { AnalysisSupervisor } from './analysis-supervisor.js'
import { CreditWindow } from './credit-window.js'
import { EventAssembler, type ReadyEvent } from './event-assembler.js'
import type { ReducerLink } from './reducer-link.js'
import { ResultOutbox } from './result-outbox.js'

/** What a {@link ScanSession} needs from its worker. */
export interface ScanSessionOptions {
  readonly scanId: ScanId
  readonly worker: WorkerName
  readonly tags: readonly string[]
  /** The module spec as the user gave it (named in failure reports). */
  readonly module: string
  /** The worker's analysis (its runner, replaced when a call kills it). */
  readonly analysis: AnalysisSupervisor
  /** Events handed to the analysis in one call at most. */
  readonly batchEvents: number
  readonly plane: ControlPlane
  readonly parameters: ParameterTracker
  readonly reducer: ReducerLink
  readonly failures: FailureLog
  readonly logger: Logger
  readonly windowEvents: number
  /** The credit window may grow up to this (see `CreditWindow`). */
  readonly maxWindowEvents: number
  readonly flushItems: number
  readonly flushIdleMs: number
  /** How long closing the session waits to hand its last results to the reducer, ms. */
  readonly closeFlushMs: number
  /**
   * Result bytes sent but not yet acknowledged durable by the reducer, above which no further
   * event is processed until acknowledgements come (the worker keeps them to send again).
   */
  readonly maxKeptBytes: number
  /** Observes each `processEvent` duration, in seconds (the worker's metrics histogram). */
  readonly processEventSeconds?: { observe(seconds: number): void }
  /**
   * Told of each event whose analysis is over for this worker (a result, done, or failed),
   * once nothing of the worker reads its frames again: the worker may then reuse their memory
   * when the analysis got copies of them. Not called for an event handed back or put back to run
   * again (its frames are still needed).
   */
  readonly onFramesDone?: (event: ReadyEvent) => void
}

/** Counters of one scan, for tests and metrics. */
export interface ScanSessionStats {
  /** Events given to the analysis (successful or not). */
  readonly processed: number
  readonly results: number
  readonly failed: number
  /** Re-sent events reported done again without processing. */
  readonly duplicates: number
  /** Events whose analysis overran its time limit or crashed (handed back to the controller). */
  readonly faults: number
  readonly creditRequests: number
  readonly creditsRequested: number
  readonly batchesSent: number
  /** Result batches sent again (after a reconnection or to a new reducer). */
  readonly batchesResent: number
  /** Result batches and bytes kept until the reducer makes them durable. */
  readonly keptBatches: number
  readonly keptBytes: number
  /** Failed events by the stream they failed on (see `failedStream`). */
  readonly failedByStream: Readonly<Record<string, number>>
}

/**
 * One worker's part in one scan: a fresh analysis instance, the scan's assignment entries (which
 * events, which streams, which slots), the frames from the ingesters, `processEvent` one event
 * at a time (lowest ready first), result batches to the reducer, and credit requests as the
 * window frees up. Closing it drops the scan's state; {@link finishScan} also runs the
 * analysis's `finish`.
 */
export class ScanSession extends ServiceBase {
  readonly scanId: ScanId
  readonly #o: ScanSessionOptions
  readonly #assembler: EventAssembler
  readonly #window: CreditWindow
  readonly #outbox: ResultOutbox
  readonly #wake = new Wakeup()
  #lastSeq = -1
  readonly #failedByStream = new Map<string, number>()
  #stats = {
    faults: 0,
    processed: 0,
    results: 0,
    failed: 0,
    duplicates: 0,
    creditRequests: 0,
    creditsRequested: 0,
  }

  constructor(options: ScanSessionOptions) {
    super(`worker '${options.worker}' scan ${options.scanId}`)
    this.scanId = options.scanId
    this.#o = options
    this.#assembler = new EventAssembler(options.worker)
    this.#window = new CreditWindow(options.windowEvents, {
      maxWindowEvents: options.maxWindowEvents,
    })
    this.#outbox = new ResultOutbox(options.scanId, options.worker)
  }

  /** This worker's session id in the scan (what its result batches carry). */
  get session(): string {
    return this.#outbox.session
  }

  /** Counters so far. */
  get stats(): ScanSessionStats {
    const { batches, resent } = this.#outbox.sent
    const kept = this.#outbox.kept
    return {
      ...this.#stats,
      batchesSent: batches,
      batchesResent: resent,
      keptBatches: kept.batches,
      keptBytes: kept.bytes,
      failedByStream: Object.fromEntries(this.#failedByStream),
    }
  }

  /** Events waiting: ready to process, and still waiting for frames (for metrics). */
  get queueDepth(): { readonly ready: number; readonly assembling: number } {
    return { ready: this.#assembler.readyCount, assembling: this.#assembler.pendingCount }
  }

  /** Frames from an ingester for this scan; ignored unless running. Never throws. */
  onBatch(batch: EventBatch): void {
    if (this.state !== 'running' && this.state !== 'starting') return
    if (this.#assembler.addBatch(batch) > 0) this.#wake.notify()
  }

  /**
   * The scan finished: stop, then run the analysis's `finish` with the current parameters.
   * A throwing `finish` is reported to the log stream, not thrown.
   */
  async finishScan(): Promise<void> {
    await this.close()
    try {
      await this.#o.analysis.finish(this.#o.parameters.current.parameters)
    } catch (err) {
      this.#o.failures.report(toError(err).message, this.#fields(undefined))
    }
  }

  protected override async onStart(): Promise<void> {
    const o = this.#o
    const err = await o.analysis.begin(o.parameters.current.parameters, {
      name: o.worker,
      tags: o.tags,
    })
    // Every event of the scan fails with the constructor's error; the scan itself goes on.
    if (err !== undefined) o.failures.report(err.message, this.#fields(undefined))
    this.addCloseStep('flush results', async ({ force, signal }) => {
      o.reducer.listen(undefined)
      if (force || this.#outbox.itemCount === 0) return
      // Best effort, bounded: results not made durable are events not complete, handed out
      // again while the scan runs; a reducer that takes no results must not hold the worker.
      const deadline = AbortSignal.any([signal, AbortSignal.timeout(o.closeFlushMs)])
      const items = this.#outbox.itemCount
      await this.#outbox
        .flush((parts) => o.reducer.send(parts, deadline))
        .catch((err: unknown) => {
          if (signal.aborted) return
          o.logger.warn(
            { scanId: this.scanId, results: items, err: toError(err).message },
            `results not handed to the reducer within ${o.closeFlushMs} ms of closing the scan`,
          )
        })
    })
    o.reducer.listen({
      onAck: (ack) => this.#onAck(ack),
      onConnected: () => this.#resend(),
    })
    await this.#requestCredits(this.#window.initial(performance.now()))
    this.spawn('assignments', (signal) => this.#followAssignments(signal))
    this.spawn('process', (signal) => this.#processLoop(signal))
  }

  async #followAssignments(signal: AbortSignal): Promise<void> {
    const o = this.#o
    const key = o.plane.keys.assignments(this.scanId)
    for await (const raw of followStream(o.plane, key, { signal, after: STREAM_START })) {
      let entry: AssignmentEntry
      try {
        entry = parseControlJson(
          AssignmentEntry,
          raw.fields.get(StreamField.assignment),
          'assignment entry',
        )
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        o.logger.error({ scanId: this.scanId, entryId: raw.id, err: err.message }, 'bad entry')
        continue
      }
      // An entry appended twice (a command resent after a lost connection) is applied once.
      if (entry.seq <= this.#lastSeq) continue
      this.#lastSeq = entry.seq
      const outcome = this.#assembler.applyEntry(entry)
      if (this.#assembler.readyCount > 0) this.#wake.notify()
      const credits = this.#window.free(outcome.reroutedAway, performance.now())
      if (credits > 0) await this.#requestCredits(credits)
    }
  }

  /** The reducer acknowledged result batches: credits of reduced events come back. */
  #onAck(ack: ResultAck): void {
    if (ack.scan !== this.scanId || this.state !== 'running') return
    const freed = this.#outbox.onAck(ack)
    this.#wake.notify()
    if (freed === 0) return
    const credits = this.#window.free(freed, performance.now())
    if (credits > 0) this.#requestCredits(credits).catch((err: unknown) => this.fail(err))
  }

  /** A (new) connection to a reducer: everything not durable goes again, oldest first. */
  #resend(): void {
    if (this.state !== 'running') return
    const signal = this.signal
    this.#outbox
      .resend((parts) => this.#o.reducer.send(parts, signal))
      .catch((err: unknown) => {
        if (!signal.aborted) this.fail(err)
      })
  }

  async #processLoop(signal: AbortSignal): Promise<void> {
    const o = this.#o
    while (!signal.aborted) {
      if (this.#outbox.kept.bytes > o.maxKeptBytes) {
        // The reducer has not made enough durable yet: keep what is kept bounded.
        await this.#wake.wait(signal)
        continue
      }
      const events = this.#takeReady(o.batchEvents)
      if (events.length === 0) {
        if (this.#outbox.itemCount === 0) await this.#wake.wait(signal)
        else if (o.flushIdleMs === 0 || !(await this.#wake.wait(signal, o.flushIdleMs))) {
          // Nothing ready: results leave now (0) or after `flushIdleMs` without new work.
          if (!signal.aborted) await this.#flush(signal)
        }
        continue
      }
      await this.#handle(events)
      if (this.#outbox.itemCount >= o.flushItems) await this.#flush(signal)
    }
  }

  /** Up to `max` ready events; duplicates (re-sent, already finished) are reported done here. */
  #takeReady(max: number): ReadyEvent[] {
    const hash = this.#o.parameters.current.hash
    const events: ReadyEvent[] = []
    while (events.length < max) {
      const event = this.#assembler.takeReady()
      if (event === undefined) break
      if (event.duplicate) {
        this.#stats.duplicates++
        this.#outbox.done(event.eventNumber, event.slot, hash)
      } else events.push(event)
    }
    return events
  }

  /**
   * Run the analysis on `events` and act on each verdict (the rules `replay` follows too:
   * `runEvents`).
   */
  async #handle(events: readonly ReadyEvent[]): Promise<void> {
    const { parameters, hash } = this.#o.parameters.current
    const verdicts = await runEvents(this.#o.module, events, (list) =>
      this.#process(list, parameters),
    )
    for (let i = 0; i < events.length; i++) {
      await this.#apply(events[i]!, verdicts[i]!, hash)
    }
  }

  async #process(list: readonly RunnerEvent[], parameters: Parameters): Promise<CallOutcome[]> {
    const histogram = this.#o.processEventSeconds
    const started = histogram === undefined ? 0 : performance.now()
    const got = await this.#o.analysis.process(list, parameters, this.signal)
    if (histogram !== undefined) {
      // Calls that returned (a result or none), each with the batch's mean duration.
      const each = (performance.now() - started) / 1000 / list.length
      for (const o of got) if (o.kind === 'result' || o.kind === 'none') histogram.observe(each)
    }
    return got
  }

  async #apply(event: ReadyEvent, verdict: EventVerdict, hash: string): Promise<void> {
    const { eventNumber, slot } = event
    switch (verdict.kind) {
      case 'result':
        this.#stats.processed++
        this.#stats.results++
        this.#outbox.result(eventNumber, slot, hash, verdict.payload)
        this.#o.onFramesDone?.(event)
        return
      case 'done':
        this.#stats.processed++
        this.#outbox.done(eventNumber, slot, hash)
        this.#o.onFramesDone?.(event)
        return
      case 'failed':
        this.#stats.processed++
        this.#failed(event, verdict, hash)
        this.#o.onFramesDone?.(event)
        return
      case 'again':
        // Not run: an earlier event of the batch stopped the analysis. It is still ours.
        this.#assembler.putBack(event, true)
        this.#wake.notify()
        return
      default:
        await this.#fault(event, verdict)
    }
  }

  /** Per-event failure: report, mark the event failed, keep going. */
  #failed(
    event: ReadyEvent,
    verdict: Extract<EventVerdict, { kind: 'failed' }>,
    hash: string,
  ): void {
    const { eventNumber, slot } = event
    this.#stats.failed++
    // Counted under the stream it failed on, when known, here and (through the reducer's
    // completion reports) by the controller.
    this.#outbox.failed(eventNumber, slot, hash, verdict.stream)
    // Counted under the stream whose frames were malformed, when known.
    const perStream: Record<string, string | number> = {}
    if (verdict.stream !== undefined) {
      const count = (this.#failedByStream.get(verdict.stream) ?? 0) + 1
      this.#failedByStream.set(verdict.stream, count)
      perStream.stream = verdict.stream
      perStream.streamFailures = count
    }
    if (verdict.code !== undefined) perStream.code = verdict.code
    this.#o.failures.report(verdict.error.message, {
      ...this.#fields(eventNumber),
      ...perStream,
    })
  }

  /**
   * The analysis overran its time limit or crashed on this event (it has been replaced): let
   * go of the event and tell the controller, which gives it to another worker or fails it.
   */
  async #fault(
    event: ReadyEvent,
    verdict: Extract<EventVerdict, { kind: 'fault' }>,
  ): Promise<void> {
    const o = this.#o
    this.#stats.faults++
    this.#assembler.putBack(event, false)
    o.failures.report(verdict.error.message, {
      ...this.#fields(event.eventNumber),
      kind: verdict.fault,
    })
    const fault: EventFault = {
      worker: o.worker,
      fault: { event: event.eventNumber, kind: verdict.fault, reason: verdict.reason },
    }
    await o.plane.xadd(o.plane.keys.credits(this.scanId), {
      [StreamField.message]: JSON.stringify(fault),
    })
    // The event leaves this worker's window whatever the controller decides.
    const credits = this.#window.free(1, performance.now())
    if (credits > 0) await this.#requestCredits(credits)
  }

  #flush(signal: AbortSignal): Promise<void> {
    return this.#outbox.flush((parts) => this.#o.reducer.send(parts, signal))
  }

  async #requestCredits(credits: number): Promise<void> {
    const o = this.#o
    const request: CreditRequest = { worker: o.worker, credits }
    await o.plane.xadd(o.plane.keys.credits(this.scanId), {
      [StreamField.message]: JSON.stringify(request),
    })
    this.#stats.creditRequests++
    this.#stats.creditsRequested += credits
  }

  #fields(eventNumber: number | undefined): Record<string, string | number> {
    return {
      scanId: this.scanId,
      worker: this.#o.worker,
      module: this.#o.module,
      ...(eventNumber === undefined ? {} : { event: eventNumber }),
    }
  }
}
