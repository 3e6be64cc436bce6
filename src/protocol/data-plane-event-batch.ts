import { z } from 'zod'
import { ProtocolError } from '../errors.js'
import { DATA_PLANE_VERSION, Layout, type Slot, slot } from './data-plane.js'
import { decodeDataPlaneHeader, encodeDataPlaneHeader } from './data-plane-cbor.js'
import type { StreamData, WorkerMessage } from './event.js'
import { eventNumber, ScanId, StreamName } from './ids.js'

/**
 * Part 0 of an ingester → worker message. The frames of all its events follow as parts 1…n,
 * untouched, in the order `events` lists them.
 *
 * `events` is a flat layout (no per-event arrays on the wire or in the decoder), per event:
 * `eventNumber, slot, streamCount, (streamIndex, frameCount) × streamCount`, where
 * `streamIndex` points into `streams` (`[name, typ]` pairs of this batch).
 */
export const EventBatchHeader = z.object({
  v: z.literal(DATA_PLANE_VERSION),
  kind: z.literal('events'),
  scan: ScanId,
  streams: z.array(z.tuple([StreamName, z.string().min(1)])),
  events: Layout,
})
export type EventBatchHeader = z.infer<typeof EventBatchHeader>

/** One event of a batch: the streams one ingester has for it, and the slot it is assigned by. */
export interface BatchedEvent extends WorkerMessage {
  readonly slot: Slot
}

/** A decoded ingester → worker message. Frames are the received buffers themselves. */
export interface EventBatch {
  readonly scan: ScanId
  readonly events: readonly BatchedEvent[]
}

const WHAT = 'event batch'

function fail(reason: string): never {
  throw new ProtocolError(`${WHAT}: ${reason}`)
}

/** Walk the flat layout; call `onEvent` per event. Returns how many frames it references. */
function walkLayout(
  header: EventBatchHeader,
  partsAvailable: number,
  onEvent?: (eventNumber: number, slotValue: number, at: number, count: number) => void,
): number {
  const ev = header.events
  const streamCount = header.streams.length
  let i = 0
  let frames = 0
  while (i < ev.length) {
    if (i + 3 > ev.length) fail(`layout ends inside an event at index ${i}`)
    const k = ev[i + 2]!
    const at = i + 3
    if (at + 2 * k > ev.length) fail(`event ${ev[i]} lists ${k} streams past the layout's end`)
    for (let j = at; j < at + 2 * k; j += 2) {
      if (ev[j]! >= streamCount) fail(`event ${ev[i]} refers to stream index ${ev[j]}`)
      frames += ev[j + 1]!
    }
    if (frames > partsAvailable) {
      fail(`event ${ev[i]} refers to frame ${frames}, only ${partsAvailable} frames present`)
    }
    onEvent?.(ev[i]!, ev[i + 1]!, at, k)
    i = at + 2 * k
  }
  return frames
}

/**
 * Encode an ingester → worker message: `[cbor(header), ...frames]`. Frames are not copied; do
 * not modify or reuse them after sending (zmq sends parts over 128 bytes by reference).
 * @throws ProtocolError `PROTOCOL_INVALID` when the layout does not match `frames.length`.
 */
export function encodeEventBatch(
  header: EventBatchHeader,
  frames: readonly Uint8Array[],
): Uint8Array[] {
  const referenced = walkLayout(header, frames.length)
  if (referenced !== frames.length) {
    fail(`layout references ${referenced} frames, ${frames.length} given`)
  }
  const parts: Uint8Array[] = new Array(frames.length + 1)
  parts[0] = encodeDataPlaneHeader(header)
  for (let i = 0; i < frames.length; i++) parts[i + 1] = frames[i]!
  return parts
}

/**
 * Decode an ingester → worker message received as zmq parts. The frames of the events are the
 * received parts themselves (views, never copies).
 * @throws ProtocolError `PROTOCOL_INVALID` with the reason: bad header, stream index out of
 * range, a stream listed twice in one event, or frame counts that do not match the parts.
 */
export function decodeEventBatch(parts: readonly Uint8Array[]): EventBatch {
  const header = decodeDataPlaneHeader(parts[0], EventBatchHeader, WHAT)
  const ev = header.events
  const names = header.streams
  // Streams become keys of plain objects: this one name would replace the prototype instead.
  for (const [name] of names) if (name === '__proto__') fail(`stream name '__proto__' is reserved`)
  const events: BatchedEvent[] = []
  let part = 1
  const referenced = walkLayout(header, parts.length - 1, (n, slotValue, at, k) => {
    const streams: Record<string, StreamData> = {}
    for (let j = at; j < at + 2 * k; j += 2) {
      const [name, typ] = names[ev[j]!]!
      if (Object.hasOwn(streams, name)) fail(`event ${n} lists stream '${name}' twice`)
      const count = ev[j + 1]!
      streams[name] = { typ, frames: parts.slice(part, part + count) }
      part += count
    }
    events.push({ eventNumber: eventNumber(n), slot: slot(slotValue), streams })
  })
  if (referenced !== parts.length - 1) {
    fail(`layout references ${referenced} frames, ${parts.length - 1} present`)
  }
  return { scan: header.scan, events }
}
