import { parseJsonBytes } from '../../codec/json-bytes.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import {
  type AlbaemDataJson,
  type AlbaemEndJson,
  AlbaemJson,
  type AlbaemStartJson,
} from './albaem-messages.js'

/** The `typ` of AlbaEM streams (as Dranspose names it). */
export const ALBAEM_TYP = 'albaem'

/** `series-start`. */
export interface AlbaemStart extends DeviceMessage<'start'> {
  readonly messageId: number
  readonly header: AlbaemStartJson
}

/** One channel's current. */
export interface AlbaemChannel {
  /** The field name as sent, e.g. `channel1`. */
  readonly name: string
  /** The number in the name (1-based or 0-based, as the device counts). */
  readonly number: number
  /** Current in ampere. */
  readonly current: number
}

/** `data`: one acquisition. */
export interface AlbaemData extends DeviceMessage<'data'> {
  readonly messageId: number
  readonly frameNumber: number
  /** Seconds since the acquisition started. */
  readonly timestamp: number
  /** Nanoseconds since the Unix epoch, as a double (±256 ns). */
  readonly acquisitionTimestampNs: number
  /** Channels sorted by number. */
  readonly channels: readonly AlbaemChannel[]
  /** The currents in channel order, ampere. */
  readonly currents: Float64Array
  readonly header: AlbaemDataJson
}

/** `series-end`. */
export interface AlbaemEnd extends DeviceMessage<'end'> {
  readonly messageId: number
  readonly header: AlbaemEndJson
}

/** A parsed AlbaEM message, discriminated on `kind`. */
export type AlbaemMessage = AlbaemStart | AlbaemData | AlbaemEnd

/** `channel1`, `channel_1`, `Channel1`: the names a channel field may have. */
const CHANNEL = /^channel_?(\d+)$/i
function channelsOf(header: AlbaemDataJson): AlbaemChannel[] {
  const channels: AlbaemChannel[] = []
  for (const [name, value] of Object.entries(header)) {
    const match = CHANNEL.exec(name)
    if (match === null) continue
    if (typeof value !== 'number') {
      throw new ProtocolError(
        `AlbaEM data frame ${header.frame_number}: ${name} is ${JSON.stringify(value)}, not a number`,
      )
    }
    channels.push({ name, number: Number(match[1]), current: value })
  }
  channels.sort((a, b) => a.number - b.number)
  const twice = channels.find((c, i) => i > 0 && c.number === channels[i - 1]!.number)
  if (twice !== undefined) {
    throw new ProtocolError(
      `AlbaEM data frame ${header.frame_number}: channel ${twice.number} sent twice`,
    )
  }
  return channels
}

/**
 * Parses one AlbaEM message: a single JSON part with `message_type` `series-start`, `data`
 * or `series-end`. Channel currents are the data fields named `channel<N>` (also
 * `channel_<N>`, any case), whatever their count and whether N starts at 0 or 1.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, bad JSON, an unknown
 *   `message_type`, a missing field, a non-numeric channel or a channel sent twice.
 */
export function parseAlbaemFrames(frames: readonly Uint8Array[]): AlbaemMessage {
  if (frames.length !== 1)
    throw new ProtocolError(`AlbaEM message has ${frames.length} parts (expected 1)`)
  let json: unknown
  try {
    json = parseJsonBytes(frames[0]!)
  } catch (cause) {
    throw new ProtocolError('AlbaEM message is not UTF-8 JSON', { cause })
  }
  const result = AlbaemJson.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error, { max: 3 })
    throw new ProtocolError(`AlbaEM message invalid: ${issues}`, { cause: result.error })
  }
  const message = result.data
  switch (message.message_type) {
    case 'series-start':
      return { kind: 'start', messageId: message.message_id, header: message }
    case 'data': {
      const channels = channelsOf(message)
      return {
        kind: 'data',
        messageId: message.message_id,
        frameNumber: message.frame_number,
        timestamp: message.timestamp,
        acquisitionTimestampNs: message.acquisition_timestamp,
        channels,
        currents: Float64Array.from(channels, (c) => c.current),
        header: message,
      }
    }
    case 'series-end':
      return { kind: 'end', messageId: message.message_id, header: message }
  }
}

/**
 * Parses one AlbaEM stream's frames of an event (see `parseAlbaemFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `albaem`, and everything
 *   `parseAlbaemFrames` throws.
 */
export function parseAlbaem(stream: StreamData): AlbaemMessage {
  if (stream.typ !== ALBAEM_TYP)
    throw new ProtocolError(`expected an ${ALBAEM_TYP} stream, got typ '${stream.typ}'`)
  return parseAlbaemFrames(stream.frames)
}
