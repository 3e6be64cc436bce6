import type { z } from 'zod'
import { parseJsonBytes } from '../../codec/json-bytes.js'
import { readPickle } from '../../codec/pickle-reader.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import { type Dtype, type NumericArray, parseDtype, shapeSize, viewAs } from '../dtype.js'
import {
  LecroyKind,
  LecroyPrepareJson,
  LecroySeqEndJson,
  LecroySeqStartJson,
  LecroyStopJson,
  LecroyTimestamps,
  LecroyTracesJson,
} from './lecroy-messages.js'

/** The `typ` ingesters give LeCroy streams (Dranspose's value, kept for recordings). */
export const LECROY_TYP = 'lecroy_9fwdWp6Rq7'

/** `prepare` (`what: 0`): a run begins. */
export interface LecroyStart extends DeviceMessage<'start'> {
  readonly frame: number
  readonly header: LecroyPrepareJson
}

/** One channel's waveforms within a sequence. */
export interface LecroyTrace {
  readonly channel: number
  /** Unix time of the sequence, seconds. */
  readonly ts: number
  readonly frame: number
  /** `[triggers, samples]`. */
  readonly shape: readonly number[]
  readonly dtype: Dtype
  /** Row-major waveforms (`float64` on real scopes); a view on the part when aligned. */
  readonly data: NumericArray
  /** Time of the first sample relative to the trigger, seconds. */
  readonly horizOffset: number
  /** Time between samples, seconds. */
  readonly horizInterval: number
  /** One Unix timestamp per trigger, seconds. */
  readonly timestamps: readonly number[]
  readonly header: LecroyTracesJson
}

/** One sequence (one event): the sequence start, one trace per channel, the sequence end. */
export interface LecroyData extends DeviceMessage<'data'> {
  readonly frame: number
  readonly seqno: number
  /** Triggers per sequence; −1 in continuous mode. */
  readonly ntriggers: number
  readonly channels: readonly number[]
  /** One per channel, in the order of `channels`. */
  readonly traces: readonly LecroyTrace[]
  readonly header: LecroySeqStartJson
  readonly end: LecroySeqEndJson
}

/** `stop` (`what: 3`): the run ended. */
export interface LecroyEnd extends DeviceMessage<'end'> {
  readonly frame: number
  /** Messages the scope sent in the run. */
  readonly frames: number
  readonly header: LecroyStopJson
}

/** A parsed LeCroy event, discriminated on `kind`. */
export type LecroyMessage = LecroyStart | LecroyData | LecroyEnd

function json(part: Uint8Array | undefined, index: number): unknown {
  if (part === undefined) throw new ProtocolError(`LeCroy event has no part ${index}`)
  try {
    return parseJsonBytes(part)
  } catch (cause) {
    throw new ProtocolError(`LeCroy part ${index} is not UTF-8 JSON`, { cause })
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const issues = formatIssues(result.error)
    throw new ProtocolError(`LeCroy ${what} invalid: ${issues}`, { cause: result.error })
  }
  return result.data
}

function parseTrace(frames: readonly Uint8Array[], at: number): LecroyTrace {
  const header = parseWith(LecroyTracesJson, json(frames[at], at), `traces header (part ${at})`)
  const dtype = parseDtype(header.dtype)
  const raw = frames[at + 1]!
  const expected = shapeSize(header.shape) * dtype.itemSize
  if (raw.length !== expected) {
    throw new ProtocolError(
      `LeCroy channel ${header.ch}: ${raw.length} bytes of traces, expected ${expected} for [${header.shape}] ${dtype.name}`,
    )
  }
  let timestamps: unknown
  try {
    timestamps = readPickle(frames[at + 2]!)
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new ProtocolError(`LeCroy channel ${header.ch} timestamps: ${err.message}`, {
      cause: err,
    })
  }
  return {
    channel: header.ch,
    ts: header.ts,
    frame: header.frame,
    shape: header.shape,
    dtype,
    data: viewAs(raw, dtype),
    horizOffset: header.horiz_offset,
    horizInterval: header.horiz_interval,
    timestamps: parseWith(LecroyTimestamps, timestamps, `channel ${header.ch} timestamps`),
    header,
  }
}

function parseSequence(frames: readonly Uint8Array[], first: unknown): LecroyData {
  const header = parseWith(LecroySeqStartJson, first, 'sequence start')
  const expected = 2 + 3 * header.channels.length
  if (frames.length !== expected) {
    throw new ProtocolError(
      `LeCroy sequence ${header.seqno} has ${frames.length} parts, expected ${expected} for ${header.channels.length} channels`,
    )
  }
  const traces = header.channels.map((_, i) => parseTrace(frames, 1 + 3 * i))
  const last = expected - 1
  const end = parseWith(LecroySeqEndJson, json(frames[last], last), 'sequence end')
  const { frame, seqno, ntriggers, channels } = header
  return { kind: 'data', frame, seqno, ntriggers, channels, traces, header, end }
}

/**
 * Parses the parts of one LeCroy event as the ingester forms them: a prepare message
 * (start), a stop message (end), or a sequence — sequence start, then per channel a traces
 * JSON, the raw waveforms and a pickled timestamp list, then sequence end (data).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for bad JSON, a missing field, an unexpected
 *   message (a lone sequence end or traces), a part count that does not match the channels,
 *   waveforms whose size does not match shape × dtype, or timestamps that are not a
 *   data-only pickled list of numbers.
 */
export function parseLecroyFrames(frames: readonly Uint8Array[]): LecroyMessage {
  const first = json(frames[0], 0)
  const { htype, what } = parseWith(LecroyKind, first, 'message')
  if (htype === 'traces') throw new ProtocolError('LeCroy traces without a sequence start')
  switch (what) {
    case 0: {
      const header = parseWith(LecroyPrepareJson, first, 'prepare')
      return { kind: 'start', frame: header.frame, header }
    }
    case 1:
      return parseSequence(frames, first)
    case 3: {
      const header = parseWith(LecroyStopJson, first, 'stop')
      return { kind: 'end', frame: header.frame, frames: header.frames, header }
    }
    case 2:
      throw new ProtocolError('LeCroy sequence end without a sequence start')
    default:
      throw new ProtocolError(
        `LeCroy message: unknown htype '${String(htype)}' / what ${String(what)} (expected msg with what 0–3)`,
      )
  }
}

/**
 * Parses one LeCroy stream's frames of an event (see `parseLecroyFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the stream's `typ` is not LeCroy's, and
 *   everything `parseLecroyFrames` throws.
 */
export function parseLecroy(stream: StreamData): LecroyMessage {
  if (stream.typ !== LECROY_TYP) {
    throw new ProtocolError(`expected a ${LECROY_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseLecroyFrames(stream.frames)
}
