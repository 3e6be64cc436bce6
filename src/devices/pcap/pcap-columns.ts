import { ProtocolError } from '../../errors.js'
import type { NumericArray } from '../dtype.js'
import type { PcapField, PcapFieldType } from './pcap-header.js'

/** Column name (`field.key`) → one value per row, typed by the field's wire type. */
export type PcapColumns = Readonly<Record<string, NumericArray>>

/** A typed column for `rows` values: double → Float64Array, int64 → BigInt64Array, … */
function column(
  type: PcapFieldType,
  rows: number,
): Float64Array | Uint32Array | Int32Array | BigInt64Array {
  switch (type) {
    case 'double':
      return new Float64Array(rows)
    case 'uint32':
      return new Uint32Array(rows)
    case 'int32':
      return new Int32Array(rows)
    case 'int64':
      return new BigInt64Array(rows)
  }
}

function toColumns(fields: readonly PcapField[], arrays: NumericArray[]): PcapColumns {
  // fromEntries defines own properties: a field key can never reach the prototype.
  return Object.fromEntries(fields.map((f, i) => [f.key, arrays[i]!]))
}

const INFINITY = /^([+-]?)inf(inity)?$/i

function parseNumber(token: string, type: PcapFieldType): number | bigint | undefined {
  if (type === 'int64') {
    if (!/^[+-]?\d+$/.test(token)) return undefined
    const value = BigInt(token)
    return BigInt.asIntN(64, value) === value ? value : undefined
  }
  if (type === 'double') {
    const inf = INFINITY.exec(token)
    if (inf !== null) return inf[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    if (/^[+-]?nan$/i.test(token)) return Number.NaN
    const value = Number(token)
    return Number.isNaN(value) ? undefined : value
  }
  if (!/^[+-]?\d+$/.test(token)) return undefined
  const value = Number(token)
  const [min, max] = type === 'uint32' ? [0, 0xffff_ffff] : [-0x8000_0000, 0x7fff_ffff]
  return value >= min && value <= max ? value : undefined
}

/**
 * Parses ASCII sample lines (one sample per line, values separated by spaces, usually with a
 * leading space) into typed columns. Blank lines are skipped.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` quoting the line when it has the wrong number of
 *   values or a value that is not a number of its field's type.
 */
export function parsePcapAsciiRows(
  text: string,
  fields: readonly PcapField[],
): { rows: number; columns: PcapColumns } {
  const lines = text.split('\n').filter((line) => line.trim() !== '')
  const arrays = fields.map((f) => column(f.type, lines.length))
  lines.forEach((line, row) => {
    const tokens = line.trim().split(/\s+/)
    if (tokens.length !== fields.length) {
      throw new ProtocolError(
        `PandABox sample line has ${tokens.length} values, the header has ${fields.length} fields: '${line.trim()}'`,
      )
    }
    tokens.forEach((token, i) => {
      const field = fields[i]!
      const value = parseNumber(token, field.type)
      if (value === undefined) {
        throw new ProtocolError(
          `PandABox sample line: '${token}' is not a ${field.type} for ${field.key}: '${line.trim()}'`,
        )
      }
      const target = arrays[i]!
      if (target instanceof BigInt64Array) target[row] = BigInt(value)
      else target[row] = Number(value)
    })
  })
  return { rows: lines.length, columns: toColumns(fields, arrays) }
}

/**
 * Decodes binary samples (little endian, fields in header order, `sampleBytes` each) into
 * typed columns.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the bytes are not whole samples.
 */
export function parsePcapBinaryRows(
  bytes: Uint8Array,
  fields: readonly PcapField[],
  sampleBytes: number,
): { rows: number; columns: PcapColumns } {
  if (sampleBytes === 0 || bytes.length % sampleBytes !== 0) {
    throw new ProtocolError(
      `PandABox binary data of ${bytes.length} bytes is not whole samples of ${sampleBytes} bytes`,
    )
  }
  const rows = bytes.length / sampleBytes
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const arrays = fields.map((f) => column(f.type, rows))
  for (let row = 0; row < rows; row++) {
    let at = row * sampleBytes
    fields.forEach((field, i) => {
      const target = arrays[i]!
      if (target instanceof Float64Array) target[row] = view.getFloat64(at, true)
      else if (target instanceof Uint32Array) target[row] = view.getUint32(at, true)
      else if (target instanceof Int32Array) target[row] = view.getInt32(at, true)
      else target[row] = view.getBigInt64(at, true)
      at += field.type === 'int64' || field.type === 'double' ? 8 : 4
    })
  }
  return { rows, columns: toColumns(fields, arrays) }
}
