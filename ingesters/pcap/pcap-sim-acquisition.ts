import { readFile } from 'node:fs/promises'
import {
  ConfigError,
  type PcapFieldInput,
  parsePcapZmqFrames,
  readRawCapture,
} from '../../src/internal.js'

/** How the client asked for values (`SCALED`, `UNSCALED`, `RAW`). */
export type PcapProcess = 'Scaled' | 'Unscaled' | 'Raw'

/** One acquisition a simulated PandA plays: header fields and samples, made on demand. */
export interface PcapAcquisition {
  readonly fields: readonly PcapFieldInput[]
  readonly rows: number
  /** The values of sample `i`, in field order. */
  row(i: number): (number | bigint)[]
  /** ISO 8601 arm time; the simulator uses the current time when absent. */
  readonly armTime?: string
}

/** Fields a generated acquisition captures by default. */
export const DEFAULT_PCAP_FIELDS: readonly string[] = [
  'PCAP.TS_TRIGGER',
  'COUNTER1.OUT',
  'INENC1.VAL',
  'PCAP.BITS0',
]

/** PandA clock ticks per sample of a generated acquisition (125 MHz clock: 1 ms). */
const TICKS_PER_SAMPLE = 125_000
const TICK_SECONDS = 8e-9
const ENCODER_MM_PER_COUNT = 1e-4

interface SimField {
  readonly field: PcapFieldInput
  readonly value: (i: number) => number | bigint
}

/**
 * A field of a generated acquisition, by the kind its name suggests: `PCAP.BITS*` bit masks
 * (uint32), `PCAP.TS*` timestamps (ticks of 8 ns: int64, or seconds when scaled), `COUNTER*`
 * counts (i + 1), anything else an encoder position (100 000 + 250 i counts, 0.1 µm each).
 */
function simField(name: string, process: PcapProcess): SimField {
  const scaled = process === 'Scaled'
  if (name.startsWith('PCAP.BITS')) {
    return {
      field: { name, type: 'uint32', capture: 'Value' },
      value: (i) => (0x1200_0000 + (i % 256)) >>> 0,
    }
  }
  if (name.startsWith('PCAP.TS')) {
    const ticks = (i: number) => (i + 1) * TICKS_PER_SAMPLE
    return scaled
      ? {
          field: { name, type: 'double', capture: 'Value', scale: TICK_SECONDS, units: 's' },
          value: (i) => ticks(i) * TICK_SECONDS,
        }
      : { field: { name, type: 'int64', capture: 'Value' }, value: (i) => BigInt(ticks(i)) }
  }
  if (name.startsWith('COUNTER')) {
    return scaled
      ? {
          field: { name, type: 'double', capture: 'Value', scale: 1, units: '' },
          value: (i) => i + 1,
        }
      : { field: { name, type: 'int32', capture: 'Value' }, value: (i) => i + 1 }
  }
  const counts = (i: number) => 100_000 + 250 * i
  return scaled
    ? {
        field: { name, type: 'double', capture: 'Value', scale: ENCODER_MM_PER_COUNT, units: 'mm' },
        value: (i) => counts(i) * ENCODER_MM_PER_COUNT,
      }
    : { field: { name, type: 'int32', capture: 'Value' }, value: counts }
}

/** A generated acquisition of `rows` samples of `fields`, typed per `process`. */
export function generatedAcquisition(
  fieldNames: readonly string[],
  rows: number,
  process: PcapProcess,
): PcapAcquisition {
  const fields = fieldNames.map((name) => simField(name, process))
  return {
    fields: fields.map((f) => f.field),
    rows,
    row: (i) => fields.map((f) => f.value(i)),
  }
}

/** A recorded data-port stream (what a PandA sent after `OK`), sent as it is. */
export interface PcapVerbatim {
  readonly bytes: Uint8Array
}

const HEADER_START = /^(arm_time|missed|process|format):/

/**
 * Load a capture to replay: a data-port byte stream (starts with a header line) is sent as it
 * is; a raw capture of the zmq variant (`pcap-zmq.cbors`) becomes one acquisition whose fields
 * are its columns (doubles; `INENC3.VAL.Mean` → field `INENC3.VAL` capture `Mean`, `energy` →
 * field `energy` capture `Value`) and whose samples are its rows, in order.
 * @throws ConfigError when the file cannot be read or holds no series.
 */
export async function loadPcapCapture(path: string): Promise<PcapAcquisition | PcapVerbatim> {
  let head: Buffer
  try {
    head = await readFile(path)
  } catch (cause) {
    throw new ConfigError(`cannot read PandABox capture ${path}: ${String(cause)}`, { cause })
  }
  if (HEADER_START.test(head.subarray(0, 32).toString('latin1'))) return { bytes: head }
  let armTime: string | undefined
  let names: string[] | undefined
  const columns: Float64Array[][] = []
  for await (const parts of readRawCapture(path)) {
    const message = parsePcapZmqFrames(parts)
    if (message.kind === 'start') armTime = message.armTime
    if (message.kind !== 'data') continue
    names ??= [...message.fields]
    columns.push(names.map((n) => message.columns[n] ?? new Float64Array(message.rows)))
  }
  if (names === undefined) throw new ConfigError(`${path} holds no PandABox data messages`)
  const fields: PcapFieldInput[] = names.map((key) => {
    const parts = key.split('.')
    return parts.length >= 3
      ? { name: parts.slice(0, -1).join('.'), type: 'double', capture: parts.at(-1) ?? 'Value' }
      : { name: key, type: 'double', capture: 'Value' }
  })
  const rows: number[][] = []
  for (const batch of columns) {
    const n = batch[0]?.length ?? 0
    for (let r = 0; r < n; r++) rows.push(batch.map((c) => c[r] ?? 0))
  }
  return {
    fields,
    rows: rows.length,
    row: (i) => rows[i] ?? [],
    ...(armTime === undefined ? {} : { armTime }),
  }
}
