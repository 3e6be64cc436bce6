import { ProtocolError } from '../../errors.js'
import type { NumericArray } from '../dtype.js'
import {
  PCAP_FIELD_BYTES,
  type PcapField,
  type PcapFieldType,
  type PcapFormat,
} from './pcap-header.js'

/** A field to announce; `scale`/`offset`/`units` make it a scaled field. */
export interface PcapFieldInput {
  readonly name: string
  readonly type: PcapFieldType
  readonly capture: string
  readonly scale?: number
  readonly offset?: number
  readonly units?: string
}

/** Input of `encodePcapHeader`. */
export interface PcapHeaderInput {
  /** ISO 8601; omitted from the header when absent (older firmware). */
  readonly armTime?: string
  readonly missed?: number
  /** Default `Scaled`. */
  readonly process?: string
  /** Default `ascii`. */
  readonly format?: Exclude<PcapFormat, 'base64'>
  readonly fields: readonly (PcapFieldInput | PcapField)[]
}

const FORMAT_NAMES = { ascii: 'ASCII', framed: 'Framed', unframed: 'Unframed' } as const
const latin1 = (text: string): Uint8Array => Buffer.from(text, 'latin1')

function sampleBytes(fields: readonly PcapFieldInput[]): number {
  return fields.reduce((sum, f) => sum + PCAP_FIELD_BYTES[f.type], 0)
}

/**
 * Builds the header block PandABox sends when an acquisition starts, closing blank line
 * included: `arm_time`, `missed`, `process`, `format`, `sample_bytes` (binary formats),
 * `fields:` and one line per field.
 */
export function encodePcapHeader(input: PcapHeaderInput): Uint8Array {
  const format = input.format ?? 'ascii'
  const lines = [
    ...(input.armTime === undefined ? [] : [`arm_time: ${input.armTime}`]),
    `missed: ${input.missed ?? 0}`,
    `process: ${input.process ?? 'Scaled'}`,
    `format: ${FORMAT_NAMES[format]}`,
    ...(format === 'ascii' ? [] : [`sample_bytes: ${sampleBytes(input.fields)}`]),
    'fields:',
    ...input.fields.map((f) => {
      const scaled =
        f.scale === undefined
          ? ''
          : ` scale: ${f.scale} offset: ${f.offset ?? 0} units: ${f.units ?? ''}`
      return ` ${f.name} ${f.type} ${f.capture}${scaled}`
    }),
  ]
  return latin1(`${lines.join('\n')}\n\n`)
}

function value(
  row: readonly (number | bigint)[],
  i: number,
  field: PcapFieldInput,
  r: number,
): number | bigint {
  const v = row[i]
  if (v === undefined)
    throw new ProtocolError(`PandABox sample ${r} has no value for ${field.name}`)
  return v
}

/**
 * Builds samples as PandABox sends them in `format`: ASCII lines (` v1 v2 …\n`), unframed
 * little-endian samples, or the same wrapped in one `BIN ` frame.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when a row has fewer values than fields.
 */
export function encodePcapRows(
  fields: readonly PcapFieldInput[],
  rows: readonly (readonly (number | bigint)[])[],
  format: Exclude<PcapFormat, 'base64'> = 'ascii',
): Uint8Array {
  if (format === 'ascii') {
    const text = rows.map(
      (row, r) => ` ${fields.map((f, i) => String(value(row, i, f, r))).join(' ')}\n`,
    )
    return latin1(text.join(''))
  }
  const size = sampleBytes(fields)
  const head = format === 'framed' ? 8 : 0
  const out = new Uint8Array(head + rows.length * size)
  const view = new DataView(out.buffer)
  if (format === 'framed') {
    out.set(latin1('BIN '))
    view.setUint32(4, out.length, true)
  }
  rows.forEach((row, r) => {
    let at = head + r * size
    fields.forEach((f, i) => {
      const v = value(row, i, f, r)
      if (f.type === 'int64') view.setBigInt64(at, BigInt(v), true)
      else if (f.type === 'double') view.setFloat64(at, Number(v), true)
      else if (f.type === 'uint32') view.setUint32(at, Number(v), true)
      else view.setInt32(at, Number(v), true)
      at += PCAP_FIELD_BYTES[f.type]
    })
  })
  return out
}

/** Turns typed columns (one per field, in field order) into rows for `encodePcapRows`. */
export function pcapRowsFromColumns(columns: readonly NumericArray[]): (number | bigint)[][] {
  const n = columns[0]?.length ?? 0
  return Array.from({ length: n }, (_, r) => columns.map((c) => c[r] ?? 0))
}

/** Builds the `END n reason` line. */
export function encodePcapEnd(samples: number, reason = 'Ok'): Uint8Array {
  return latin1(`END ${samples} ${reason}\n`)
}
