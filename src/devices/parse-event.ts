import type { EventData } from '../protocol/event.js'
import { type DeviceStreamMessage, parseStream } from './parse-stream.js'

/** Every stream of an event, parsed: stream name → message. */
export type EventMessages = Readonly<Record<string, DeviceStreamMessage>>

/**
 * Parse every stream of an event with the parser of its `typ` (see `parseStream`), naming the
 * stream in any error, so a malformed frame fails the event and is counted under its stream.
 *
 * ```ts
 * processEvent(event) {
 *   const { xsp3, em } = parseEvent(event)
 * }
 * ```
 * @throws ProtocolError (`PROTOCOL_INVALID`, `DECODE_FAILED`) of the first stream that does
 *   not parse, its message starting with `stream '<name>': ` and its `stream` field set.
 */
export function parseEvent(event: Pick<EventData, 'streams'>): EventMessages {
  // fromEntries defines own properties: a stream named `__proto__` stays a plain key.
  return Object.fromEntries(
    Object.entries(event.streams).map(([name, data]) => [name, parseStream(data, name)]),
  )
}
