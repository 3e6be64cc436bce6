import { z } from 'zod'
import { CborTagged } from './eiger-v2-cbor.js'

/**
 * Fields of DECTRIS Stream V2 messages (one CBOR map each) that beamloom reads. Every other
 * field passes through: the start message alone has about thirty.
 */

const Id = z.number().int().nonnegative()
const Tagged = z.instanceof(CborTagged)
/** A Stream V2 rational, `[numerator, denominator]`. */
const Rational = z.tuple([z.number().int().nonnegative(), z.number().int().positive()])

/** `type: start` — sent on arm: the series configuration. */
export const EigerV2StartMap = z.looseObject({
  type: z.literal('start'),
  series_id: Id,
  series_unique_id: z.string(),
  /** Active channel (threshold) names; image data comes in this order. */
  channels: z.array(z.string()).optional(),
  image_size_x: Id.optional(),
  image_size_y: Id.optional(),
  image_dtype: z.string().optional(),
  number_of_images: Id.optional(),
  flatfield: z.record(z.string(), Tagged).optional(),
  pixel_mask: z.record(z.string(), Tagged).optional(),
  countrate_correction_lookup_table: Tagged.optional(),
  threshold_energy: z.record(z.string(), z.number()).optional(),
  user_data: z.unknown().optional(),
})
export type EigerV2StartMap = z.infer<typeof EigerV2StartMap>

/** `type: image` — one exposure, every channel. */
export const EigerV2ImageMap = z.looseObject({
  type: z.literal('image'),
  series_id: Id,
  series_unique_id: z.string(),
  image_id: Id,
  /** Channel name → tag 40 array. */
  data: z.record(z.string(), Tagged),
  real_time: Rational.optional(),
  start_time: Rational.optional(),
  stop_time: Rational.optional(),
  series_date: z.string().optional(),
  user_data: z.unknown().optional(),
})
export type EigerV2ImageMap = z.infer<typeof EigerV2ImageMap>

/** `type: end` — the series ended. */
export const EigerV2EndMap = z.looseObject({
  type: z.literal('end'),
  series_id: Id,
  series_unique_id: z.string(),
})
export type EigerV2EndMap = z.infer<typeof EigerV2EndMap>

/** Just enough of a message to dispatch on `type`. */
export const EigerV2Type = z.looseObject({ type: z.string() })
export type EigerV2Type = z.infer<typeof EigerV2Type>
