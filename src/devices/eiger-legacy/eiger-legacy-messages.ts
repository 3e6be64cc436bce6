import { z } from 'zod'

/**
 * JSON parts of DECTRIS Eiger Stream V1 ("legacy" stream, SIMPLON `format: legacy`). Every
 * schema lets unknown fields through: firmware versions add their own.
 */

const Series = z.number().int().nonnegative()

/** How much detector configuration a series header carries (SIMPLON `header_detail`). */
export const EigerLegacyHeaderDetail = z.enum(['all', 'basic', 'none'])
export type EigerLegacyHeaderDetail = z.infer<typeof EigerLegacyHeaderDetail>

/** Part 1 of a series header: `htype: dheader-1.0`. */
export const EigerLegacyHeaderJson = z.looseObject({
  htype: z.literal('dheader-1.0'),
  series: Series,
  header_detail: EigerLegacyHeaderDetail,
})
export type EigerLegacyHeaderJson = z.infer<typeof EigerLegacyHeaderJson>

/**
 * Part 2 of a `basic`/`all` header: the detector configuration (`x_pixels_in_detector`,
 * `count_time`, `photon_energy`, …). Only a JSON object is required; every field passes.
 */
export const EigerLegacyConfigJson = z.looseObject({})
export type EigerLegacyConfigJson = z.infer<typeof EigerLegacyConfigJson>

/** Header of one array of an `all` header: flatfield, pixel mask or countrate table. */
export const EigerLegacyArrayJson = z.looseObject({
  htype: z.enum(['dflatfield-1.0', 'dpixelmask-1.0', 'dcountrate_table-1.0']),
  /** `[x, y]`: the fastest-varying dimension first, as DECTRIS writes it. */
  shape: z.array(z.number().int().nonnegative()).length(2),
  type: z.string(),
})
export type EigerLegacyArrayJson = z.infer<typeof EigerLegacyArrayJson>

/** Part 1 of an image message: `htype: dimage-1.0`. */
export const EigerLegacyImageJson = z.looseObject({
  htype: z.literal('dimage-1.0'),
  series: Series,
  frame: z.number().int().nonnegative(),
  /** MD5 of the data blob, hex. */
  hash: z.string().optional(),
})
export type EigerLegacyImageJson = z.infer<typeof EigerLegacyImageJson>

/** Part 2 of an image message: how the blob (part 3) is laid out. */
export const EigerLegacyImageDataJson = z.looseObject({
  htype: z.literal('dimage_d-1.0'),
  /** `[x, y]` = `[columns, rows]`. */
  shape: z.array(z.number().int().nonnegative()).length(2),
  type: z.string(),
  /** `bs32-lz4<`, `bs16-lz4<`, `bs8-lz4<`, `lz4<` or `<` (raw little endian). */
  encoding: z.string(),
  /** Bytes of the blob as the detector sent it. */
  size: z.number().int().nonnegative().optional(),
})
export type EigerLegacyImageDataJson = z.infer<typeof EigerLegacyImageDataJson>

/** Part 4 of an image message: exposure timing, in nanoseconds. */
export const EigerLegacyTimingJson = z.looseObject({
  htype: z.literal('dconfig-1.0'),
  real_time: z.number(),
  start_time: z.number(),
  stop_time: z.number(),
})
export type EigerLegacyTimingJson = z.infer<typeof EigerLegacyTimingJson>

/** The one part of a series end: `htype: dseries_end-1.0`. */
export const EigerLegacyEndJson = z.looseObject({
  htype: z.literal('dseries_end-1.0'),
  series: Series,
})
export type EigerLegacyEndJson = z.infer<typeof EigerLegacyEndJson>

/** Just enough of a first part to dispatch on `htype`. */
export const EigerLegacyHtype = z.looseObject({ htype: z.string() })
export type EigerLegacyHtype = z.infer<typeof EigerLegacyHtype>
