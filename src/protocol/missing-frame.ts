import { ProtocolError } from '../errors.js'
import type { StreamData } from './event.js'

/**
 * The `typ` of a stream whose frame never came from the device (frames lost upstream, or a
 * series that ended early). An ingester that matches frames to events by the protocol's frame
 * number sends this marker in the event's place instead of another frame; the worker fails the
 * event with the reason and never calls `processEvent` for it. The one part is the reason,
 * UTF-8 text naming the missing frame.
 */
export const MISSING_FRAME_TYP = 'beamloom:missing'

/** Reasons longer than this are cut (the marker is read from the wire: bounded). */
const MAX_REASON_CHARS = 1000

const utf8 = new TextEncoder()
const text = new TextDecoder('utf-8', { fatal: false })

/** The parts of a missing-frame marker carrying `reason`. */
export function encodeMissingFrame(reason: string): Uint8Array[] {
  return [utf8.encode(reason.slice(0, MAX_REASON_CHARS))]
}

/** Whether a stream of an event is a missing-frame marker. */
export function isMissingFrame(data: StreamData): boolean {
  return data.typ === MISSING_FRAME_TYP
}

/**
 * The error an event fails with when one of its streams is a missing-frame marker:
 * `FRAME_MISSING`, naming the stream (so failures are counted under it) and carrying the
 * ingester's reason. `undefined` when every stream has its frame.
 */
export function missingFrameError(
  streams: Readonly<Record<string, StreamData>>,
): ProtocolError | undefined {
  for (const name in streams) {
    const data = streams[name]!
    if (!isMissingFrame(data)) continue
    const part = data.frames[0]
    const reason =
      part === undefined
        ? 'its frame never came from the device'
        : text.decode(part.subarray(0, MAX_REASON_CHARS * 4)).slice(0, MAX_REASON_CHARS)
    return new ProtocolError(`stream '${name}': ${reason}`, { code: 'FRAME_MISSING', stream: name })
  }
  return undefined
}
