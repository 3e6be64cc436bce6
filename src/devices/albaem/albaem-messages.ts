import { z } from 'zod'

/**
 * JSON messages of the AlbaEM electrometer streamer: one JSON part each. Channel currents
 * arrive as extra fields of the data message (`channel1` … `channel4`); every unknown field
 * passes through.
 */

const Base = { message_id: z.number().int(), version: z.literal(1) }

/** `message_type: series-start`. */
export const AlbaemStartJson = z.looseObject({ ...Base, message_type: z.literal('series-start') })
export type AlbaemStartJson = z.infer<typeof AlbaemStartJson>

/** `message_type: data`: one acquisition of every channel. */
export const AlbaemDataJson = z.looseObject({
  ...Base,
  message_type: z.literal('data'),
  frame_number: z.number().int().nonnegative(),
  /** Seconds since the acquisition started. */
  timestamp: z.number(),
  /** Nanoseconds since the Unix epoch (beyond 2^53: read as the nearest double). */
  acquisition_timestamp: z.number(),
})
export type AlbaemDataJson = z.infer<typeof AlbaemDataJson>

/** `message_type: series-end`, with `detector_specific` overflow flags. */
export const AlbaemEndJson = z.looseObject({ ...Base, message_type: z.literal('series-end') })
export type AlbaemEndJson = z.infer<typeof AlbaemEndJson>

/** Any AlbaEM message, discriminated on `message_type`. */
export const AlbaemJson = z.discriminatedUnion('message_type', [
  AlbaemStartJson,
  AlbaemDataJson,
  AlbaemEndJson,
])
export type AlbaemJson = z.infer<typeof AlbaemJson>
