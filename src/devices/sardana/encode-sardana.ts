import type { SardanaBodyType } from './sardana-messages.js'

/** The HTTP paths Sardana POSTs to, and the kind of body each carries. */
export const SARDANA_PATHS: Readonly<Record<string, SardanaBodyType>> = {
  '/v1/data_desc': 'DataDescription',
  '/v1/record_data': 'RecordData',
  '/v1/record_end': 'RecordEnd',
}

const utf8 = new TextEncoder()

/**
 * Builds the frame for a body POSTed to one of `SARDANA_PATHS`, with `type` set as
 * Dranspose writes it, so the parser never has to guess. The body's own fields are kept.
 */
export function encodeSardanaBody(
  type: SardanaBodyType,
  body: Readonly<Record<string, unknown>>,
): Uint8Array[] {
  return [utf8.encode(JSON.stringify({ type, ...body }))]
}

/** Input of `encodeSardanaDataDesc`: the required fields plus any others Sardana sends. */
export interface SardanaDataDescInput {
  readonly serialno: number
  readonly scandir: string
  readonly title: string
  readonly columns: readonly {
    readonly name: string
    readonly dtype?: string
    readonly shape?: readonly number[]
  }[]
  readonly extra?: Readonly<Record<string, unknown>>
}

/** Builds a data description frame (`column_desc` from `columns`, labels = names). */
export function encodeSardanaDataDesc(input: SardanaDataDescInput): Uint8Array[] {
  return encodeSardanaBody('DataDescription', {
    ...input.extra,
    serialno: input.serialno,
    scandir: input.scandir,
    title: input.title,
    column_desc: input.columns.map((c) => ({ label: c.name, dtype: 'float64', shape: [], ...c })),
  })
}

/** Builds a record frame: `timestamp` and the values by column name. */
export function encodeSardanaRecord(
  timestamp: number,
  values: Readonly<Record<string, unknown>>,
): Uint8Array[] {
  return encodeSardanaBody('RecordData', { ...values, timestamp })
}

/** Builds a record end frame. */
export function encodeSardanaEnd(): Uint8Array[] {
  return encodeSardanaBody('RecordEnd', {})
}
