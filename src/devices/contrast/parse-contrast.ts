import { readPickle } from '../../codec/pickle-reader.js'
import { isPickleDict, type PickleDict, type PickleValue } from '../../codec/pickle-value.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import { ContrastDict } from './contrast-messages.js'

/** The `typ` ingesters give Contrast streams (as Dranspose does). */
export const CONTRAST_TYP = 'contrast'

/** Contrast is alive and idle. */
export interface ContrastHeartbeat extends DeviceMessage<'heartbeat'> {
  readonly message: PickleDict
}

/** A scan started (`status: 'started'`). */
export interface ContrastStart extends DeviceMessage<'start'> {
  readonly scannr: number
  /** Directory the scan writes to. */
  readonly path: string
  /** The scan command, e.g. `mesh sx -2 2 3 sy -2 2 4 0.1`. */
  readonly description: string
  /** Motor positions before the scan; empty when not sent. */
  readonly snapshot: PickleDict
  /** The whole dict, extra fields included. */
  readonly message: PickleDict
}

/** One scan point (`status: 'running'`). */
export interface ContrastData extends DeviceMessage<'data'> {
  /** Seconds since the scan started. */
  readonly dt: number
  /** Top-level numeric entries (motor positions), e.g. `{ sx: -2.0004, sy: -2.0012 }`. */
  readonly positions: Readonly<Record<string, number>>
  /** Every other entry (detectors: dicts of numpy arrays, links, …), as read. */
  readonly detectors: Readonly<Record<string, PickleValue>>
  /** The whole dict. */
  readonly message: PickleDict
}

/** The scan ended (`finished` or `interrupted`). */
export interface ContrastEnd extends DeviceMessage<'end'> {
  readonly reason: 'finished' | 'interrupted'
  readonly scannr: number | undefined
  readonly path: string | undefined
  readonly description: string | undefined
  readonly message: PickleDict
}

/** A parsed Contrast message, discriminated on `kind`. */
export type ContrastMessage = ContrastHeartbeat | ContrastStart | ContrastData | ContrastEnd

function splitPoint(message: PickleDict): Pick<ContrastData, 'positions' | 'detectors'> {
  const positions: Record<string, number> = {}
  const detectors: Record<string, PickleValue> = {}
  for (const [key, value] of Object.entries(message)) {
    if (key === 'status' || key === 'dt') continue
    const target = typeof value === 'number' ? positions : detectors
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return { positions, detectors }
}

/**
 * Parses the one zmq part of a Contrast message: a pickled dict (or OrderedDict) whose
 * `status` says what it is. Numpy arrays inside come back as `NumpyArray`s.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when there is not exactly one part, the pickle is
 *   malformed or names a global outside the data-only allow-list, the value is not a dict,
 *   the status is unknown, or a required field is missing.
 */
export function parseContrastFrames(frames: readonly Uint8Array[]): ContrastMessage {
  if (frames.length !== 1) {
    throw new ProtocolError(`Contrast message has ${frames.length} parts (expected 1)`)
  }
  let message: PickleValue
  try {
    message = readPickle(frames[0]!)
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err
    throw new ProtocolError(`Contrast message: ${err.message}`, { cause: err })
  }
  if (!isPickleDict(message))
    throw new ProtocolError('Contrast message is not a dict with string keys')
  const parsed = ContrastDict.safeParse(message)
  if (!parsed.success) {
    const issues = formatIssues(parsed.error)
    throw new ProtocolError(`Contrast message invalid: ${issues}`, { cause: parsed.error })
  }
  const dict = parsed.data
  switch (dict.status) {
    case 'heartbeat':
      return { kind: 'heartbeat', message }
    case 'started': {
      const snapshot = isPickleDict(message.snapshot) ? message.snapshot : {}
      const { scannr, path, description } = dict
      return { kind: 'start', scannr, path, description, snapshot, message }
    }
    case 'running':
      return { kind: 'data', dt: dict.dt, ...splitPoint(message), message }
    case 'finished':
    case 'interrupted':
      return {
        kind: 'end',
        reason: dict.status,
        scannr: dict.scannr,
        path: dict.path,
        description: dict.description,
        message,
      }
  }
}

/**
 * Parses one Contrast stream's frames of an event (see `parseContrastFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the stream's `typ` is not `contrast`, and
 *   everything `parseContrastFrames` throws.
 */
export function parseContrast(stream: StreamData): ContrastMessage {
  if (stream.typ !== CONTRAST_TYP) {
    throw new ProtocolError(`expected a ${CONTRAST_TYP} stream, got typ '${stream.typ}'`)
  }
  return parseContrastFrames(stream.frames)
}
