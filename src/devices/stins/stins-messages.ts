import { z } from 'zod'

/**
 * JSON headers of the STINS protocol (MAX IV streaming-receiver), the first part of every
 * message. Unknown fields pass through: detectors add their own metadata.
 */

const MsgNumber = z.number().int().nonnegative()

/** `htype: header` — the start of a series; a message of one part. */
export const StinsHeaderJson = z.looseObject({
  htype: z.literal('header'),
  msg_number: MsgNumber,
  filename: z.string().optional(),
})
export type StinsHeaderJson = z.infer<typeof StinsHeaderJson>

/**
 * `htype: image` — one frame; followed by one blob part per image part (one for most
 * cameras, one per threshold for multi-threshold detectors). `type` and `compression` are
 * checked by the parser so their errors can name the accepted values.
 */
export const StinsImageJson = z.looseObject({
  htype: z.literal('image'),
  msg_number: MsgNumber,
  frame: z.number().int().nonnegative(),
  shape: z.array(z.number().int().nonnegative()).min(1),
  type: z.string(),
  compression: z.string(),
})
export type StinsImageJson = z.infer<typeof StinsImageJson>

/** `htype: series_end` — the end of a series; a message of one part. */
export const StinsEndJson = z.looseObject({
  htype: z.literal('series_end'),
  msg_number: MsgNumber,
})
export type StinsEndJson = z.infer<typeof StinsEndJson>

/** Just enough of any STINS header to dispatch on `htype`. */
export const StinsHtype = z.looseObject({ htype: z.string() })
export type StinsHtype = z.infer<typeof StinsHtype>

/** Blob encodings STINS images use: raw bytes, or bitshuffle-LZ4 with the 12-byte header. */
export const StinsCompression = z.enum(['none', 'bslz4'])
export type StinsCompression = z.infer<typeof StinsCompression>
