import { ProtocolError } from '../../errors.js'

/** Wire types of PandABox capture fields. */
export type PcapFieldType = 'uint32' | 'int32' | 'int64' | 'double'

/** Bytes of each field type in binary formats. */
export const PCAP_FIELD_BYTES: Readonly<Record<PcapFieldType, number>> = {
  uint32: 4,
  int32: 4,
  int64: 8,
  double: 8,
}

/** One captured field, from a header line ` NAME type capture [scale: s offset: o units: u]`. */
export interface PcapField {
  /** Field name, e.g. `INENC1.VAL`. */
  readonly name: string
  readonly type: PcapFieldType
  /** Capture mode, e.g. `Value`, `Mean`, `Min`. */
  readonly capture: string
  /** `name.capture`, e.g. `INENC1.VAL.Mean`: the column name (as Dranspose names it). */
  readonly key: string
  /** Present for scaled fields only. */
  readonly scale?: number
  readonly offset?: number
  readonly units?: string
}

/** Data formats of the capture port; `base64` is recognised but not decoded. */
export type PcapFormat = 'ascii' | 'framed' | 'unframed' | 'base64'

/** The header PandABox sends at the start of each acquisition. */
export interface PcapHeader {
  /** `arm_time:` (ISO 8601, newer firmware); absent on older firmware. */
  readonly armTime: string | undefined
  readonly missed: number
  /** `Scaled`, `Unscaled` or `Raw`. */
  readonly process: string
  readonly format: PcapFormat
  /** Bytes per sample in binary formats (`sample_bytes:`), else the sum of the field sizes. */
  readonly sampleBytes: number
  readonly fields: readonly PcapField[]
  /** Every `key: value` line as sent, including ones this parser does not interpret. */
  readonly lines: Readonly<Record<string, string>>
}

const FIELD_TYPES = new Set<string>(['uint32', 'int32', 'int64', 'double'])
const FORMATS = new Set<string>(['ascii', 'framed', 'unframed', 'base64'])
const SCALING = /^scale:\s*(\S+)\s+offset:\s*(\S+)\s+units:\s?(.*)$/

function isFieldType(s: string): s is PcapFieldType {
  return FIELD_TYPES.has(s)
}

function isFormat(s: string): s is PcapFormat {
  return FORMATS.has(s)
}

function fail(reason: string): ProtocolError {
  return new ProtocolError(`PandABox header: ${reason}`)
}

/** Parses one field line (leading space already seen). */
export function parsePcapFieldLine(line: string): PcapField {
  const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line)
  if (match === null) throw fail(`field line '${line}' is not 'NAME type capture …'`)
  const [, name = '', type = '', capture = '', rest = ''] = match
  if (!isFieldType(type)) {
    throw fail(`field ${name} has unknown type '${type}' (expected uint32, int32, int64 or double)`)
  }
  const field: PcapField = { name, type, capture, key: `${name}.${capture}` }
  if (rest === '') return field
  const scaling = SCALING.exec(rest)
  const scale = Number(scaling?.[1])
  const offset = Number(scaling?.[2])
  if (scaling === null || Number.isNaN(scale) || Number.isNaN(offset)) {
    throw fail(`field ${name}: cannot read '${rest}' as 'scale: s offset: o units: u'`)
  }
  return { ...field, scale, offset, units: (scaling[3] ?? '').trimEnd() }
}

/**
 * Parses a PandABox capture header: `key: value` lines (`arm_time`, `missed`, `process`,
 * `format`, `sample_bytes`, …), `fields:`, one line per field starting with a space, and
 * optionally the closing blank line.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a line that is neither, no `fields:`, an
 *   unknown format or field type, or a `sample_bytes` that disagrees with the fields.
 */
export function parsePcapHeader(text: string): PcapHeader {
  const lines: Record<string, string> = {}
  const fields: PcapField[] = []
  let inFields = false
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    if (inFields && line.startsWith(' ')) {
      fields.push(parsePcapFieldLine(line))
      continue
    }
    const kv = /^([A-Za-z_][\w]*):\s?(.*)$/.exec(line)
    if (kv === null) throw fail(`cannot read line '${line}'`)
    const [, key = '', value = ''] = kv
    if (key === 'fields') {
      inFields = true
      continue
    }
    Object.defineProperty(lines, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  if (!inFields) throw fail('no fields: line')
  const format = (lines.format ?? 'ASCII').toLowerCase()
  if (!isFormat(format)) throw fail(`unknown format '${lines.format}'`)
  const missed = Number(lines.missed ?? '0')
  if (!Number.isInteger(missed)) throw fail(`missed '${lines.missed}' is not an integer`)
  const fieldBytes = fields.reduce((sum, f) => sum + PCAP_FIELD_BYTES[f.type], 0)
  const sampleBytes = lines.sample_bytes === undefined ? fieldBytes : Number(lines.sample_bytes)
  if (sampleBytes !== fieldBytes) {
    throw fail(`sample_bytes ${lines.sample_bytes} does not match the fields' ${fieldBytes} bytes`)
  }
  return {
    armTime: lines.arm_time,
    missed,
    process: lines.process ?? 'Scaled',
    format,
    sampleBytes,
    fields,
    lines,
  }
}

/** True when `text` starts like a capture header (`arm_time:` or `missed:` first). */
export function isPcapHeaderStart(line: string): boolean {
  return /^(arm_time|missed|start_time|process|format):/.test(line)
}
