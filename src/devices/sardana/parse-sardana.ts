import type { z } from 'zod'
import { parseJsonBytes } from '../../codec/json-bytes.js'
import { formatIssues } from '../../config/format-issues.js'
import { ProtocolError } from '../../errors.js'
import type { StreamData } from '../../protocol/event.js'
import type { DeviceMessage } from '../device-message.js'
import {
  type SardanaBodyType,
  type SardanaColumnJson,
  SardanaDataDescJson,
  SardanaRecordEndJson,
  SardanaRecordJson,
} from './sardana-messages.js'

/** The `typ` of Sardana streams (as Dranspose names it). */
export const SARDANA_TYP = 'sardana'

/** A scan starts (`/v1/data_desc`). */
export interface SardanaStart extends DeviceMessage<'start'> {
  readonly serialno: number
  readonly scandir: string
  readonly title: string
  /** The scan's columns, in order. */
  readonly columns: readonly SardanaColumnJson[]
  readonly header: SardanaDataDescJson
}

/** One scan point (`/v1/record_data`). */
export interface SardanaRecord extends DeviceMessage<'data'> {
  readonly pointNb: number | undefined
  readonly timestamp: number
  /** Every value of the point by column name (`type` removed), as JSON gave it. */
  readonly values: Readonly<Record<string, unknown>>
  readonly header: SardanaRecordJson
}

/** The scan ended (`/v1/record_end`). */
export interface SardanaEnd extends DeviceMessage<'end'> {
  readonly header: SardanaRecordEndJson
}

/** A parsed Sardana body, discriminated on `kind`. */
export type SardanaMessage = SardanaStart | SardanaRecord | SardanaEnd

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json)
  if (!result.success) {
    const issues = formatIssues(result.error, { max: 3 })
    throw new ProtocolError(`Sardana ${what} invalid: ${issues}`, { cause: result.error })
  }
  return result.data
}

/**
 * Which body this is: its `type` when present, else from its fields — `column_desc` or
 * `serialno` make a data description, an empty object an end, anything else a record.
 */
function bodyType(json: object): SardanaBodyType | string {
  if ('type' in json && typeof json.type === 'string') return json.type
  if ('column_desc' in json || 'serialno' in json) return 'DataDescription'
  if (Object.keys(json).length === 0) return 'RecordEnd'
  return 'RecordData'
}

/**
 * Parses one Sardana body (one JSON frame): a data description, a record or a record end.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a wrong part count, bad JSON, a body that is
 *   not an object, an unknown `type`, or a missing field (`serialno`, `scandir`, `title` of
 *   a description; `timestamp` of a record).
 */
export function parseSardanaFrames(frames: readonly Uint8Array[]): SardanaMessage {
  if (frames.length !== 1)
    throw new ProtocolError(`Sardana message has ${frames.length} parts (expected 1)`)
  let json: unknown
  try {
    json = parseJsonBytes(frames[0]!)
  } catch (cause) {
    throw new ProtocolError('Sardana body is not UTF-8 JSON', { cause })
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ProtocolError('Sardana body is not a JSON object')
  }
  const type = bodyType(json)
  switch (type) {
    case 'DataDescription': {
      const header = parseWith(SardanaDataDescJson, json, 'data description')
      return {
        kind: 'start',
        serialno: header.serialno,
        scandir: header.scandir,
        title: header.title,
        columns: header.column_desc ?? [],
        header,
      }
    }
    case 'RecordData': {
      const header = parseWith(SardanaRecordJson, json, 'record')
      const values = Object.fromEntries(Object.entries(header).filter(([key]) => key !== 'type'))
      return { kind: 'data', pointNb: header.point_nb, timestamp: header.timestamp, values, header }
    }
    case 'RecordEnd':
      return { kind: 'end', header: parseWith(SardanaRecordEndJson, json, 'record end') }
    default:
      throw new ProtocolError(
        `Sardana body of unknown type '${type}' (expected DataDescription, RecordData or RecordEnd)`,
      )
  }
}

/**
 * Parses one Sardana stream's frames of an event (see `parseSardanaFrames`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when `typ` is not `sardana`, and everything
 *   `parseSardanaFrames` throws.
 */
export function parseSardana(stream: StreamData): SardanaMessage {
  if (stream.typ !== SARDANA_TYP)
    throw new ProtocolError(`expected a ${SARDANA_TYP} stream, got typ '${stream.typ}'`)
  return parseSardanaFrames(stream.frames)
}
