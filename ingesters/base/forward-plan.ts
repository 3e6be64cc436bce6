import {
  type AssignmentEntry,
  encodeMissingFrame,
  MISSING_FRAME_TYP,
  type Slot,
  type SlotTuple,
  StateError,
  type StreamName,
  slot,
  type WorkerName,
} from '../../src/internal.js'
import { RouteBook } from './route-book.js'
import { type StreamCounters, zeroCounters } from './stream-counters.js'

/** One stream an ingester serves in a scan, and the `typ` its frames travel with. */
export interface PlanStream {
  readonly name: StreamName
  readonly typ: string
}

/** Frames of one stream of one event, to send to one worker. */
export interface Delivery {
  readonly worker: WorkerName
  readonly event: number
  readonly slot: Slot
  /** Index into the plan's streams. */
  readonly stream: number
  /** The stream's `typ`, or `MISSING_FRAME_TYP` for a frame that never came. */
  readonly typ: string
  readonly frames: readonly Uint8Array[]
}

/** A frame of a pending event that never came from the device (see `FrameMatcher`). */
export interface MissingRead {
  /** Names the missing frame; the event fails with it. */
  readonly missing: string
}

/** What was read for one stream of a pending event: the message's parts, or a missing frame. */
export type ReadFrame = readonly Uint8Array[] | MissingRead

/** The next event to read: its number and the streams (indices) that have a frame in it. */
export interface PendingRead {
  readonly event: number
  readonly streams: readonly number[]
  /**
   * Per stream index, the position of this event's frame in the stream's series: how many
   * events of the scan before it read that stream (0: the series' start). Read it before
   * {@link ForwardPlan.commit}, which advances it.
   */
  readonly positions: readonly number[]
}

interface KeptFrame {
  readonly typ: string
  readonly frames: readonly Uint8Array[]
  targets: readonly WorkerName[]
  /** The route when the frame was read: a delivery to another worker is a re-send. */
  readonly first: readonly WorkerName[]
  /** Workers it is delivered to and not known lost. */
  readonly sent: Set<WorkerName>
  /** Workers it was ever handed to: another delivery to one of them is a re-send. */
  readonly ever: Set<WorkerName>
  /** Delivered again, or to a worker its first route did not name. */
  resent: boolean
}

interface KeptEvent {
  readonly streams: (KeptFrame | undefined)[]
  readonly bytes: number
}

/** Options of {@link ForwardPlan}. */
export interface ForwardPlanOptions {
  /** The ingester's streams in this scan. */
  readonly streams: readonly PlanStream[]
  /** Kept frames above this many bytes make the buffer full (reading upstream pauses). */
  readonly maxBufferBytes: number
  /** Whether a worker is connected now (said hello, not gone): deliveries only go to those. */
  readonly isConnected: (worker: WorkerName) => boolean
  /**
   * Frames a stream contributes to the events before `event` (`ScanPlan.framesBefore`): where
   * its series stands when the first release of a scan joined late does not begin at 0.
   * Default: 0 (a plan that sees the scan from its first event needs nothing else).
   */
  readonly framesBefore?: (stream: StreamName, event: number) => number
  /**
   * Hands back the memory of a frame's parts once nothing can read them any more (see
   * `FrameSlabs.recycle`): a frame dropped unsent, or one the completed frontier passed whose
   * only delivery went to the one worker it is routed to. That worker completed the event, so
   * it received the whole message and no send of it is queued. A frame re-sent or delivered to
   * several workers may still sit in a send queue to one of them, so it is never handed back:
   * its memory is left to the garbage collector. Default: nothing is handed back.
   */
  readonly recycle?: (part: Uint8Array) => void
}

/**
 * The forwarding decisions of one ingester in one scan, without I/O: which upstream frame to
 * read next, which workers each frame goes to, what is kept until the controller's
 * `completedFrontier` passes it, and what to re-send after a re-route or a late hello.
 *
 * Feed it assignment entries ({@link applyEntry}), the frames read for each pending event
 * ({@link commit}), hellos and failed sends; it answers with {@link Delivery} lists, in event
 * order, for connected workers only. Frames for a worker that is not connected stay kept and
 * are delivered on its hello or to the workers a re-route names instead.
 */
export class ForwardPlan {
  readonly streams: readonly PlanStream[]
  readonly counters: readonly StreamCounters[]
  readonly #books: RouteBook[]
  readonly #maxBytes: number
  readonly #isConnected: (worker: WorkerName) => boolean
  readonly #framesBefore: ((stream: StreamName, event: number) => number) | undefined
  readonly #recycle: ((part: Uint8Array) => void) | undefined
  readonly #positions: number[]
  readonly #kept = new Map<number, KeptEvent>()
  readonly #workerSlots = new Map<WorkerName, number>()
  #overrides: SlotTuple[] = []
  #next = 0
  #releasedTo = 0
  #frontier = 0
  #bytes = 0
  #started = false
  #unknownSlots = 0
  readonly #waiting = new Set<WorkerName>()

  constructor(options: ForwardPlanOptions) {
    this.streams = options.streams
    this.counters = options.streams.map(() => zeroCounters())
    this.#books = options.streams.map(() => new RouteBook())
    this.#maxBytes = options.maxBufferBytes
    this.#isConnected = options.isConnected
    this.#framesBefore = options.framesBefore
    this.#recycle = options.recycle
    this.#positions = options.streams.map(() => 0)
  }

  /** Bytes of the frames kept for possible re-sending. */
  get bufferBytes(): number {
    return this.#bytes
  }

  /** Whether the kept frames reached the byte bound (stop reading upstream until it frees). */
  get bufferFull(): boolean {
    return this.#bytes >= this.#maxBytes
  }

  /** Events with kept frames. */
  get keptEvents(): number {
    return this.#kept.size
  }

  /** The next event to read (events below it are read). */
  get nextEvent(): number {
    return this.#next
  }

  /** Events below this are released. */
  get releasedTo(): number {
    return this.#releasedTo
  }

  /** Events below this are complete (their frames are dropped). */
  get completedFrontier(): number {
    return this.#frontier
  }

  /** Deliveries whose worker had no slot in any entry (slot 0 was used). */
  get unknownSlots(): number {
    return this.#unknownSlots
  }

  /**
   * Apply one assignment entry: routes, slots, newly released events, re-routes (whose kept
   * frames are re-sent to the workers that did not have them) and the completed frontier.
   * Resolves the deliveries the re-routes cause.
   */
  applyEntry(entry: AssignmentEntry): Delivery[] {
    for (const [worker, value] of Object.entries(entry.workerSlots)) {
      this.#workerSlots.set(worker as WorkerName, value)
    }
    for (const tuple of entry.slots) this.#overrides.push(tuple)
    this.streams.forEach((stream, s) => {
      const tuples = entry.routes[stream.name]
      if (tuples === undefined) return
      const book = this.#books[s]!
      for (const [from, to, workers] of tuples) book.set(from, to, workers)
    })
    const [from, to] = entry.released
    if (to > from) {
      // The first release of a scan says where it begins (0, unless joining late).
      if (!this.#started && from > this.#next) {
        this.#next = from
        const before = this.#framesBefore
        if (before !== undefined) {
          this.streams.forEach((stream, s) => {
            this.#positions[s] = before(stream.name, from)
          })
        }
      }
      this.#started = true
      if (to > this.#releasedTo) this.#releasedTo = to
    }
    const deliveries: Delivery[] = []
    for (const [rFrom, rTo] of entry.rerouted) this.#reroute(rFrom, rTo, deliveries)
    this.#advanceFrontier(entry.completedFrontier)
    return deliveries
  }

  /** The next released event to read, or `undefined` when every released event was read. */
  pending(): PendingRead | undefined {
    const event = this.#next
    if (event >= this.#releasedTo) return undefined
    const streams: number[] = []
    for (let s = 0; s < this.#books.length; s++) {
      const route = this.#books[s]!.get(event)
      if (route !== null && route !== undefined) streams.push(s)
    }
    return { event, streams, positions: this.#positions }
  }

  /**
   * The frames read for the pending event (`frames[s]` for each stream {@link pending} named:
   * the message's parts, or a {@link MissingRead} for a frame that never came, which travels
   * as a missing-frame marker); decides where they go and advances each stream's position.
   * Resolves the deliveries for connected workers, in stream order.
   * @throws StateError `STATE_INVALID` when `event` is not the pending one or a frame is absent.
   */
  commit(event: number, frames: readonly (ReadFrame | undefined)[]): Delivery[] {
    if (event !== this.#next || event >= this.#releasedTo) {
      throw new StateError(`event ${event} is not the pending event (${this.#next})`)
    }
    const deliveries: Delivery[] = []
    const kept: (KeptFrame | undefined)[] = []
    let bytes = 0
    for (let s = 0; s < this.#books.length; s++) {
      const route = this.#books[s]!.get(event)
      if (route === null || route === undefined) continue
      const read = frames[s]
      if (read === undefined) throw new StateError(`event ${event}: no frame for stream ${s}`)
      this.#positions[s]!++
      if (route.length === 0 || event < this.#frontier) {
        this.counters[s]!.dropped++
        if (!isMissingRead(read)) this.#recycleParts(read)
        continue
      }
      const missing = isMissingRead(read)
      const parts = missing ? encodeMissingFrame(read.missing) : read
      const typ = missing ? MISSING_FRAME_TYP : this.streams[s]!.typ
      const frame: KeptFrame = {
        typ,
        frames: parts,
        targets: route,
        first: route,
        sent: new Set(),
        ever: new Set(),
        resent: false,
      }
      for (const worker of route) this.#deliver(event, s, frame, worker, deliveries)
      kept[s] = frame
      for (const part of parts) bytes += part.byteLength
    }
    if (kept.length > 0) {
      this.#kept.set(event, { streams: kept, bytes })
      this.#bytes += bytes
    }
    this.#next = event + 1
    return deliveries
  }

  /** A worker (re)connected: deliver what it should have and does not. */
  onHello(worker: WorkerName): Delivery[] {
    const deliveries: Delivery[] = []
    for (const [event, kept] of this.#kept) {
      kept.streams.forEach((frame, s) => {
        if (frame === undefined || frame.sent.has(worker) || !frame.targets.includes(worker)) return
        this.#deliver(event, s, frame, worker, deliveries)
      })
    }
    return deliveries
  }

  /** Deliveries that did not reach their worker: they count as undelivered again. */
  onSendFailed(worker: WorkerName, failed: readonly { event: number; stream: number }[]): void {
    for (const { event, stream } of failed) {
      this.#kept.get(event)?.streams[stream]?.sent.delete(worker)
    }
  }

  /** Whether kept frames still wait for `worker` (it is named by their route, never reached). */
  awaits(worker: WorkerName): boolean {
    for (const kept of this.#kept.values()) {
      for (const frame of kept.streams) {
        if (frame?.targets.includes(worker) && !frame.sent.has(worker)) return true
      }
    }
    return false
  }

  /** Workers skipped since the last call because they were not connected (then cleared). */
  takeWaiting(): WorkerName[] {
    const waiting = [...this.#waiting]
    this.#waiting.clear()
    return waiting
  }

  /** The slot of `event` at `worker`: a slot override, else the worker's own slot. */
  slotOf(worker: WorkerName, event: number): Slot {
    for (let i = this.#overrides.length - 1; i >= 0; i--) {
      const [from, to, holder, value] = this.#overrides[i]!
      if (holder === worker && from <= event && event < to) return slot(value)
    }
    const own = this.#workerSlots.get(worker)
    if (own !== undefined) return slot(own)
    this.#unknownSlots++
    return slot(0)
  }

  #deliver(event: number, s: number, frame: KeptFrame, worker: WorkerName, out: Delivery[]): void {
    if (!this.#isConnected(worker)) {
      this.#waiting.add(worker)
      return
    }
    // A re-send: to a worker the frame's first route did not name (a re-route), or again to
    // one that had it (its delivery failed, or it reconnected). A worker of the first route
    // that connected late gets its first delivery, not a re-send.
    const resend = frame.ever.has(worker) || !frame.first.includes(worker)
    frame.sent.add(worker)
    frame.ever.add(worker)
    const counters = this.counters[s]!
    counters.forwarded++
    if (resend) {
      counters.resent++
      frame.resent = true
    }
    out.push({
      worker,
      event,
      slot: this.slotOf(worker, event),
      stream: s,
      typ: frame.typ,
      frames: frame.frames,
    })
  }

  #recycleParts(parts: readonly Uint8Array[]): void {
    const recycle = this.#recycle
    if (recycle === undefined) return
    for (const part of parts) recycle(part)
  }

  #reroute(from: number, to: number, out: Delivery[]): void {
    const top = Math.min(to, this.#next)
    for (let event = Math.max(from, this.#frontier); event < top; event++) {
      const kept = this.#kept.get(event)
      if (kept === undefined) continue
      kept.streams.forEach((frame, s) => {
        if (frame === undefined) return
        const route = this.#books[s]!.get(event)
        frame.targets = route ?? []
        // A worker the event is routed away from drops what it had of it: routed back to it
        // later (a worker removed and added again), it needs the frames again.
        for (const worker of frame.sent)
          if (!frame.targets.includes(worker)) frame.sent.delete(worker)
        for (const worker of frame.targets) {
          if (!frame.sent.has(worker)) this.#deliver(event, s, frame, worker, out)
        }
      })
    }
  }

  #advanceFrontier(frontier: number): void {
    if (frontier <= this.#frontier) return
    this.#frontier = frontier
    // Kept events are inserted in ascending order, so the oldest come first.
    for (const [event, kept] of this.#kept) {
      if (event >= frontier) break
      this.#bytes -= kept.bytes
      this.#kept.delete(event)
      if (this.#recycle !== undefined) {
        for (const frame of kept.streams) {
          if (frame !== undefined && deliveredOnce(frame)) this.#recycleParts(frame.frames)
        }
      }
    }
    const oldestNeeded = Math.min(this.#next, frontier)
    for (const book of this.#books) book.prune(oldestNeeded)
    this.#overrides = this.#overrides.filter(([, end]) => end > frontier)
  }
}

/**
 * Whether the frame went to one worker only, once, and is still routed to it alone: then that
 * worker's completion of the event means it received the frame, and nothing else holds it.
 */
function deliveredOnce(frame: KeptFrame): boolean {
  const { first, targets } = frame
  return (
    !frame.resent &&
    frame.ever.size <= 1 &&
    first.length === 1 &&
    targets.length === 1 &&
    targets[0] === first[0]
  )
}

function isMissingRead(read: ReadFrame): read is MissingRead {
  return !Array.isArray(read)
}
