import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Logger } from '../../src/internal.js'
import {
  AssignmentEntry,
  type ControlPlane,
  type FrameSlabs,
  followStream,
  type LogStream,
  ProtocolError,
  parseControlJson,
  type ScanId,
  type ScanPlan,
  ServiceBase,
  STREAM_START,
  StreamField,
  type StreamName,
  toError,
  UPSTREAM_LOST,
  Wakeup,
  type WorkerName,
} from '../../src/internal.js'
import { BatchSender, type BatchTarget } from './batch-sender.js'
import { type Delivery, ForwardPlan, type ReadFrame } from './forward-plan.js'
import { FrameMatcher } from './frame-matcher.js'
import { openScanRecorder, type ScanRecorder } from './scan-recorder.js'
import { createScanReporter, type ScanReport } from './scan-reporter.js'
import { countOf, type StreamCounters } from './stream-counters.js'
import type { Upstream, UpstreamFactory, UpstreamMessage } from './upstream.js'
import { type NoticeKind, UpstreamNotices } from './upstream-notices.js'

/** Events forwarded between two yields to the event loop (timers, hellos, sends). */
const YIELD_EVERY = 256

/** How long after a failed send to a connected worker its frames are delivered again, ms. */
const REDELIVER_PAUSE_MS = 50

/** What a {@link ScanSession} needs from its ingester. */
export interface ScanSessionOptions {
  readonly scanId: ScanId
  readonly ingesterName: string
  readonly streams: readonly StreamName[]
  /**
   * The scan's compiled sequence: how many events read each stream (the positions its frames
   * are matched to) and where a stream's series stands at a given event.
   */
  readonly scanPlan: ScanPlan
  readonly plane: ControlPlane
  readonly logs: LogStream
  readonly upstream: UpstreamFactory
  readonly router: BatchTarget & { readonly workers: ReadonlySet<WorkerName> }
  readonly logger: Logger
  readonly bufferBytes: number
  readonly batchEvents: number
  readonly batchBytes: number
  readonly helloTimeoutMs: number
  readonly dumpDir: string | undefined
  readonly dumpPath: string | undefined
  /** The `dump_prefix` parameter at scan start. */
  readonly dumpPrefix: string | undefined
  /**
   * The ingester's memory for received frames (see `UpstreamContext.frameSlabs`); forwarded
   * frames are handed back to it as the completed frontier passes them. A scan that records
   * hands nothing back (the recording may still be writing a frame).
   */
  readonly frameSlabs?: FrameSlabs | undefined
}

/** A snapshot of a session's counters. */
export interface ScanSessionStats {
  readonly scanId: ScanId
  readonly streams: Readonly<Record<string, Readonly<StreamCounters>>>
  readonly bufferBytes: number
  readonly keptEvents: number
  readonly nextEvent: number
  readonly releasedTo: number
  readonly completedFrontier: number
  /** Times reading upstream paused because the buffer was full. */
  readonly pauses: number
  readonly batchesSent: number
  readonly recordsWritten: number
  readonly upstreamLost: boolean
}

/**
 * One scan at one ingester: opens the upstream and the recording, follows the scan's
 * assignments, reads exactly the assigned frames and forwards them (see `ForwardPlan`). Each
 * stream's frames are matched to its events by what the device says they are (`FrameMatcher`):
 * malformed messages are dropped, repeated frames dropped, and the events of frames that never
 * came get a missing-frame marker; each is counted and reported (`UpstreamNotices`).
 * Closing it closes the upstream and drops everything kept. A lost upstream is reported to
 * the log stream as `upstream-lost: …` (the controller stops the scan) and ends the reading.
 */
export class ScanSession extends ServiceBase {
  readonly #o: ScanSessionOptions
  readonly plan: ForwardPlan
  readonly #wake = new Wakeup()
  readonly #timers = new Map<WorkerName, NodeJS.Timeout>()
  readonly #redeliveries = new Map<WorkerName, NodeJS.Timeout>()
  readonly #warned = new Set<WorkerName>()
  #sender: BatchSender | undefined
  #upstream: Upstream | undefined
  #recorder: ScanRecorder | undefined
  /** Whether forwarded frames go back to the frame slabs (not while a recording was opened). */
  #recycling = false
  #pauses = 0
  readonly #report: ScanReport
  readonly #notices: UpstreamNotices
  readonly #matchers: readonly FrameMatcher[]
  #upstreamLost = false
  #lastSeq = -1

  constructor(options: ScanSessionOptions) {
    super(`ingester '${options.ingesterName}' scan ${options.scanId}`)
    this.#o = options
    this.#report = createScanReporter(options)
    this.#notices = new UpstreamNotices({ report: this.#report })
    const scanPlan = options.scanPlan
    this.plan = new ForwardPlan({
      streams: options.streams.map((name) => ({ name, typ: options.upstream.typOf(name) })),
      maxBufferBytes: options.bufferBytes,
      isConnected: (worker) => options.router.workers.has(worker),
      framesBefore: (stream, event) => scanPlan.framesBefore(stream, event),
      recycle: (part) => {
        if (this.#recycling) options.frameSlabs?.recycle(part)
      },
    })
    this.#matchers = this.plan.streams.map((stream, s) => {
      const counters = this.plan.counters[s]!
      return new FrameMatcher({
        stream: stream.name,
        frames: scanPlan.frameCount(stream.name),
        counters,
        onNotice: (kind, message) => this.#notice(kind, stream.name, counters, message),
      })
    })
  }

  /** The scan this session serves. */
  get scanId(): ScanId {
    return this.#o.scanId
  }

  /** Counters of this scan. */
  stats(): ScanSessionStats {
    const plan = this.plan
    return {
      scanId: this.#o.scanId,
      streams: Object.fromEntries(plan.streams.map((s, i) => [s.name, { ...plan.counters[i]! }])),
      bufferBytes: plan.bufferBytes,
      keptEvents: plan.keptEvents,
      nextEvent: plan.nextEvent,
      releasedTo: plan.releasedTo,
      completedFrontier: plan.completedFrontier,
      pauses: this.#pauses,
      batchesSent: this.#sender?.batchesSent ?? 0,
      recordsWritten: this.#recorder?.recordsWritten ?? 0,
      upstreamLost: this.#upstreamLost,
    }
  }

  /** A worker said hello: send it what it should have had. */
  onHello(worker: WorkerName): void {
    if (this.state !== 'running') return
    clearTimeout(this.#timers.get(worker))
    this.#timers.delete(worker)
    this.#deliver(this.plan.onHello(worker))
    this.#sender?.flush()
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    const o = this.#o
    this.#sender = new BatchSender({
      scan: o.scanId,
      streams: this.plan.streams,
      target: o.router,
      maxEvents: o.batchEvents,
      maxBytes: o.batchBytes,
      signal,
      onFailed: (worker, refs, err) => this.#onSendFailed(worker, refs, err),
    })
    this.addCloseStep('hello timers', () => {
      for (const timer of this.#timers.values()) clearTimeout(timer)
      for (const timer of this.#redeliveries.values()) clearTimeout(timer)
    })
    this.spawn('notices', (s) => this.#notices.pump(s))
    this.addCloseStep('notices', () => this.#notices.drain())
    await this.#openRecorder()
    this.#recycling = o.frameSlabs !== undefined && this.#recorder === undefined
    const upstream = o.upstream.create({
      scanId: o.scanId,
      streams: o.streams,
      logger: o.logger,
      onInvalid: (stream, reason) => this.#onInvalid(stream, reason),
      frameSlabs: o.frameSlabs,
    })
    this.#upstream = upstream
    this.addCloseStep('upstream', () => upstream.close())
    try {
      await upstream.start()
    } catch (err) {
      await this.#lost(o.streams[0]!, err)
      return
    }
    this.spawn('assignments', (s) => this.#followAssignments(s))
    this.spawn('forward', (s) => this.#forward(upstream, s))
  }

  async #openRecorder(): Promise<void> {
    const o = this.#o
    try {
      this.#recorder = await openScanRecorder({
        dumpDir: o.dumpDir,
        dumpPath: o.dumpPath,
        prefix: o.dumpPrefix,
        ingesterName: o.ingesterName,
        scanId: o.scanId,
        streams: this.plan.streams,
      })
    } catch (err) {
      await this.#report('error', `recording refused: ${toError(err).message}`, {})
      return
    }
    const recorder = this.#recorder
    if (recorder === undefined) return
    o.logger.info({ scanId: o.scanId, path: recorder.path }, 'recording forwarded frames')
    this.addCloseStep('recording', () => recorder.close())
  }

  async #followAssignments(signal: AbortSignal): Promise<void> {
    const o = this.#o
    const key = o.plane.keys.assignments(o.scanId)
    for await (const entry of followStream(o.plane, key, { signal, after: STREAM_START })) {
      let parsed: AssignmentEntry
      try {
        parsed = parseControlJson(
          AssignmentEntry,
          entry.fields.get(StreamField.assignment),
          'assignment entry',
        )
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        o.logger.error({ scanId: o.scanId, entry: entry.id, err: err.message }, 'bad assignment')
        continue
      }
      // An entry appended twice (a command resent after a lost connection) is applied once.
      if (parsed.seq <= this.#lastSeq) continue
      this.#lastSeq = parsed.seq
      this.#deliver(this.plan.applyEntry(parsed))
      this.#sender!.flush()
      this.#wake.notify()
    }
  }

  async #forward(upstream: Upstream, signal: AbortSignal): Promise<void> {
    const plan = this.plan
    const sender = this.#sender!
    let paused = false
    let sinceYield = 0
    while (!signal.aborted) {
      const pending = plan.pending()
      if (pending === undefined || plan.bufferFull) {
        sender.flush()
        if (pending !== undefined && !paused) this.#pauses++
        paused = pending !== undefined
        await this.#wake.wait(signal)
        continue
      }
      paused = false
      const frames: (ReadFrame | undefined)[] = []
      for (const s of pending.streams) {
        const name = plan.streams[s]!.name
        const matcher = this.#matchers[s]!
        const position = pending.positions[s]!
        let frame = matcher.take(position)
        while (frame === undefined) {
          if (upstream.ready?.(name) !== true) sender.flush()
          let message: UpstreamMessage
          try {
            message = await upstream.next(name, signal)
          } catch (err) {
            if (signal.aborted) return
            plan.counters[s]!.errors++
            sender.flush()
            await this.#lost(name, err, pending.event)
            return
          }
          plan.counters[s]!.read++
          frame = matcher.offer(position, message)
        }
        frames[s] = frame
      }
      this.#deliver(plan.commit(pending.event, frames))
      if (this.#recorder !== undefined && pending.streams.length > 0) {
        await this.#record(pending.event, frames)
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0
        await yieldToLoop()
      }
    }
  }

  #deliver(deliveries: readonly Delivery[]): void {
    if (deliveries.length > 0) this.#sender?.add(deliveries)
    for (const worker of this.plan.takeWaiting()) this.#armHelloTimer(worker)
  }

  #armHelloTimer(worker: WorkerName): void {
    if (this.#timers.has(worker) || this.#warned.has(worker)) return
    const timer = setTimeout(() => {
      this.#timers.delete(worker)
      if (this.state !== 'running' || !this.plan.awaits(worker)) return
      this.#warned.add(worker)
      void this.#report(
        'warn',
        `worker '${worker}' is not connected to ingester '${this.#o.ingesterName}'; its frames are kept until it connects or its events are re-routed`,
        { worker },
      )
    }, this.#o.helloTimeoutMs)
    timer.unref()
    this.#timers.set(worker, timer)
  }

  #onSendFailed(
    worker: WorkerName,
    refs: readonly { event: number; stream: number }[],
    err: unknown,
  ): void {
    if (this.signal.aborted) return
    this.plan.onSendFailed(worker, refs)
    this.#o.logger.warn(
      { scanId: this.#o.scanId, worker, events: refs.length, err: toError(err).message },
      'batch not delivered; frames kept',
    )
    if (this.#o.router.workers.has(worker)) this.#redeliverSoon(worker)
    else this.#armHelloTimer(worker)
  }

  /**
   * The worker is connected although a send to it failed: it reconnected, and its hello may
   * have come before the failure was known (the hello then found nothing to re-send). Deliver
   * what it lacks after a short pause (one per worker, so a send that keeps failing does not
   * spin).
   */
  #redeliverSoon(worker: WorkerName): void {
    if (this.#redeliveries.has(worker)) return
    const timer = setTimeout(() => {
      this.#redeliveries.delete(worker)
      if (this.state !== 'running' || !this.#o.router.workers.has(worker)) return
      this.#deliver(this.plan.onHello(worker))
      this.#sender?.flush()
    }, REDELIVER_PAUSE_MS)
    timer.unref()
    this.#redeliveries.set(worker, timer)
  }

  #onInvalid(stream: StreamName, reason: string): void {
    const s = this.plan.streams.findIndex((p) => p.name === stream)
    const counters = this.plan.counters[s]
    if (counters === undefined) return
    counters.invalid++
    this.#notice('invalid', stream, counters, `invalid upstream message dropped: ${reason}`)
  }

  #notice(kind: NoticeKind, stream: StreamName, counters: StreamCounters, message: string): void {
    this.#notices.notice(kind, stream, message, countOf(counters, kind))
  }

  async #record(event: number, frames: readonly (ReadFrame | undefined)[]): Promise<void> {
    const recorder = this.#recorder!
    // The recording holds what came from the device: a frame that never came is left out.
    const read = frames.map((frame) => (Array.isArray(frame) ? frame : undefined))
    try {
      await recorder.write(event, read)
    } catch (err) {
      this.#recorder = undefined
      await this.#report(
        'error',
        `recording to ${recorder.path} stopped: ${toError(err).message}`,
        {
          event,
        },
      )
    }
  }

  async #lost(stream: StreamName, err: unknown, event?: number): Promise<void> {
    this.#upstreamLost = true
    const at = event === undefined ? '' : ` (waiting for the frame of event ${event})`
    await this.#report('error', `upstream-lost: stream '${stream}'${at}: ${toError(err).message}`, {
      kind: UPSTREAM_LOST,
      stream,
      ...(event === undefined ? {} : { event }),
    })
  }
}
