import { DATA_PLANE_VERSION, type Slot } from './data-plane.js'
import { encodeEventBatch } from './data-plane-event-batch.js'
import type { StreamData } from './event.js'
import { type EventNumber, type ScanId, type StreamName, streamName } from './ids.js'

/**
 * Collects consecutive events bound for one worker into one ingester → worker message, without
 * per-event objects: the layout grows as a flat number list and frames are kept by reference.
 *
 * ```ts
 * const batch = new EventBatchBuilder(scan)
 * batch.add(eventNumber(7), slot(0), 'eiger', 'STINS', parts)
 * if (batch.eventCount >= 64 || batch.frameBytes >= 4 << 20) await router.sendTo(w, batch.finish())
 * ```
 */
export class EventBatchBuilder {
  readonly scan: ScanId
  #streams: [StreamName, string][] = []
  readonly #streamIndex = new Map<string, number>()
  #layout: number[] = []
  #frames: Uint8Array[] = []
  #eventCount = 0
  #frameBytes = 0
  #lastEvent = -1
  #lastSlot = -1
  #streamCountAt = -1

  constructor(scan: ScanId) {
    this.scan = scan
  }

  /** Events in the batch so far. */
  get eventCount(): number {
    return this.#eventCount
  }

  /** Frames in the batch so far. */
  get frameCount(): number {
    return this.#frames.length
  }

  /** Bytes of all frames so far (what the message will carry besides the small header). */
  get frameBytes(): number {
    return this.#frameBytes
  }

  /**
   * Add one stream's frames of an event. Calls for the same event and slot in a row (several
   * streams of one ingester) extend that event; otherwise a new event starts. `frames` are
   * referenced, not copied: do not modify them afterwards.
   * @throws RangeError when the same stream is added twice to one event, or is named
   * `__proto__` (reserved: streams become object keys).
   */
  add(
    eventNumber: EventNumber,
    slot: Slot,
    stream: StreamName,
    typ: string,
    frames: readonly Uint8Array[],
  ): this {
    if (eventNumber !== this.#lastEvent || slot !== this.#lastSlot || this.#streamCountAt < 0) {
      this.#layout.push(eventNumber, slot, 0)
      this.#streamCountAt = this.#layout.length - 1
      this.#lastEvent = eventNumber
      this.#lastSlot = slot
      this.#eventCount++
    }
    if (stream === '__proto__') throw new RangeError(`stream name '__proto__' is reserved`)
    const index = this.#indexOf(stream, typ)
    const layout = this.#layout
    for (let j = this.#streamCountAt + 1; j < layout.length; j += 2) {
      if (this.#streams[layout[j]!]![0] === stream)
        throw new RangeError(`stream '${stream}' added twice to event ${eventNumber}`)
    }
    layout.push(index, frames.length)
    layout[this.#streamCountAt]!++
    for (const frame of frames) {
      this.#frames.push(frame)
      this.#frameBytes += frame.byteLength
    }
    return this
  }

  /** Add every stream of an event (for example a whole `WorkerMessage`). */
  addEvent(
    eventNumber: EventNumber,
    slot: Slot,
    streams: Readonly<Record<string, StreamData>>,
  ): this {
    const before = this.#eventCount
    for (const name in streams) {
      const data = streams[name]!
      this.add(eventNumber, slot, streamName(name), data.typ, data.frames)
    }
    // An event with no streams still travels (it completes at the worker).
    if (this.#eventCount === before) {
      this.#layout.push(eventNumber, slot, 0)
      this.#streamCountAt = -1
      this.#eventCount++
    }
    return this
  }

  /** Encode the batch as zmq parts and start a new, empty one. */
  finish(): Uint8Array[] {
    const parts = encodeEventBatch(
      {
        v: DATA_PLANE_VERSION,
        kind: 'events',
        scan: this.scan,
        streams: this.#streams,
        events: this.#layout,
      },
      this.#frames,
    )
    this.#streams = []
    this.#streamIndex.clear()
    this.#layout = []
    this.#frames = []
    this.#eventCount = 0
    this.#frameBytes = 0
    this.#lastEvent = -1
    this.#lastSlot = -1
    this.#streamCountAt = -1
    return parts
  }

  #indexOf(stream: StreamName, typ: string): number {
    // Consecutive events nearly always carry the same stream: skip the map (and the key).
    const last = this.#streams.at(-1)
    if (last !== undefined && last[0] === stream && last[1] === typ) return this.#streams.length - 1
    const key = `${stream}\u0000${typ}`
    let index = this.#streamIndex.get(key)
    if (index === undefined) {
      index = this.#streams.length
      this.#streams.push([stream, typ])
      this.#streamIndex.set(key, index)
    }
    return index
  }
}
