import { PickleFloat, writePickle } from '../../codec/pickle-writer.js'
import { ProtocolError } from '../../errors.js'
import { bytesOf, dtypeOf, type NumericArray, shapeSize } from '../dtype.js'

/**
 * Encoders of the LeCroy messages, each returning the zmq parts of one upstream message.
 * A run is: prepare, then per sequence a sequence start, one traces message per channel and
 * a sequence end, then stop. (In continuous mode the scope sends one sequence start and many
 * traces/sequence-end groups; the ingester repeats the first sequence start in every event.)
 */

/** Input of `encodeLecroySeqStart`. */
export interface LecroySeqStartInput {
  readonly frame: number
  /** Triggers per sequence; −1 for continuous mode. */
  readonly ntriggers: number
  readonly seqno: number
  readonly channels: readonly number[]
}

/** Input of `encodeLecroyTraces`. */
export interface LecroyTracesInput {
  readonly channel: number
  /** Unix time of the sequence, seconds. */
  readonly ts: number
  readonly frame: number
  /** Row-major waveforms, usually `Float64Array`. */
  readonly data: NumericArray
  /** `[triggers, samples]`. */
  readonly shape: readonly number[]
  readonly horizOffset: number
  readonly horizInterval: number
  /** One Unix timestamp per trigger, seconds. */
  readonly timestamps: readonly number[]
}

const utf8 = new TextEncoder()
const jsonPart = (fields: Readonly<Record<string, unknown>>) => utf8.encode(JSON.stringify(fields))

/** `{"htype": "msg", "what": 0, "frame": …}`: a run is prepared. */
export function encodeLecroyPrepare(frame = 0): Uint8Array[] {
  return [jsonPart({ htype: 'msg', what: 0, frame })]
}

/** `what: 1`: a sequence starts. */
export function encodeLecroySeqStart(input: LecroySeqStartInput): Uint8Array[] {
  const { frame, ntriggers, seqno, channels } = input
  return [jsonPart({ htype: 'msg', what: 1, frame, ntriggers, seqno, channels })]
}

/**
 * One channel's traces: JSON, the raw waveforms (a view, not a copy) and the pickled
 * timestamp list (protocol 4, as the scope bridge writes it).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `data` does not hold `shape` elements.
 */
export function encodeLecroyTraces(input: LecroyTracesInput): Uint8Array[] {
  if (shapeSize(input.shape) !== input.data.length) {
    throw new ProtocolError(
      `LeCroy traces: ${input.data.length} elements do not match shape [${input.shape}]`,
    )
  }
  const header = jsonPart({
    htype: 'traces',
    ch: input.channel,
    ts: input.ts,
    frame: input.frame,
    shape: input.shape,
    horiz_offset: input.horizOffset,
    horiz_interval: input.horizInterval,
    dtype: dtypeOf(input.data).name,
  })
  const timestamps = writePickle(
    input.timestamps.map((t) => new PickleFloat(t)),
    { protocol: 4 },
  )
  return [header, bytesOf(input.data), timestamps]
}

/** `what: 2`: the sequence is complete. */
export function encodeLecroySeqEnd(frame: number): Uint8Array[] {
  return [jsonPart({ htype: 'msg', what: 2, frame })]
}

/** `what: 3`: the run stopped after `frames` messages. */
export function encodeLecroyStop(frame: number, frames: number): Uint8Array[] {
  return [jsonPart({ htype: 'msg', what: 3, frame, frames })]
}
