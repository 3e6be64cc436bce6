import { z } from 'zod'

/**
 * JSON bodies Sardana's stream recorder POSTs to the ingester (`/v1/data_desc`,
 * `/v1/record_data`, `/v1/record_end`), forwarded one per frame. `type` may be missing on
 * the wire (Dranspose adds it when it re-serialises); every other field passes through.
 */

/** One column of the scan (`column_desc` entry). */
export const SardanaColumnJson = z.looseObject({
  name: z.string(),
  label: z.string().optional(),
  /** numpy name, e.g. `float64`, `int64`. */
  dtype: z.string().optional(),
  /** `[]` for scalars, `[n]` for spectra, `[h, w]` for images. */
  shape: z.array(z.number().int().nonnegative()).optional(),
})
export type SardanaColumnJson = z.infer<typeof SardanaColumnJson>

/** `/v1/data_desc`: a scan starts. */
export const SardanaDataDescJson = z.looseObject({
  type: z.literal('DataDescription').optional(),
  serialno: z.number().int(),
  scandir: z.string(),
  title: z.string(),
  column_desc: z.array(SardanaColumnJson).optional(),
  ref_moveables: z.array(z.string()).optional(),
  counters: z.array(z.string()).optional(),
  scanfile: z.union([z.string(), z.array(z.string())]).optional(),
  starttime: z.string().optional(),
})
export type SardanaDataDescJson = z.infer<typeof SardanaDataDescJson>

/** `/v1/record_data`: one point, values keyed by column name. */
export const SardanaRecordJson = z.looseObject({
  type: z.literal('RecordData').optional(),
  timestamp: z.number(),
  point_nb: z.number().int().nonnegative().optional(),
})
export type SardanaRecordJson = z.infer<typeof SardanaRecordJson>

/** `/v1/record_end`: the scan ended (the body is often `{}`). */
export const SardanaRecordEndJson = z.looseObject({ type: z.literal('RecordEnd').optional() })
export type SardanaRecordEndJson = z.infer<typeof SardanaRecordEndJson>

/** The `type` of each kind of body, as Dranspose writes it. */
export type SardanaBodyType = 'DataDescription' | 'RecordData' | 'RecordEnd'
