import { z } from 'zod'

/**
 * JSON headers of the Xspress3 stream (MAX IV's Tango device), the first part of every
 * message. Unknown fields pass through (the 2024 header adds `limits` and `extra_tags`).
 */

/** `htype: header` — the start of a series. */
export const Xspress3HeaderJson = z.looseObject({
  htype: z.literal('header'),
  filename: z.string(),
  overwritable: z.boolean().optional(),
})
export type Xspress3HeaderJson = z.infer<typeof Xspress3HeaderJson>

/**
 * `htype: image` — one frame; followed by the raw spectra (`type`, row-major `shape`,
 * `[channels, 4096]`) and a pickled list of per-channel metadata arrays.
 */
export const Xspress3ImageJson = z.looseObject({
  htype: z.literal('image'),
  frame: z.number().int().nonnegative(),
  shape: z.array(z.number().int().nonnegative()).min(1),
  /** Exposure time in seconds; Dranspose defaults it to 1. */
  exptime: z.number().optional(),
  type: z.string(),
  compression: z.string().optional(),
})
export type Xspress3ImageJson = z.infer<typeof Xspress3ImageJson>

/** `htype: series_end` — the end of a series. */
export const Xspress3EndJson = z.looseObject({ htype: z.literal('series_end') })
export type Xspress3EndJson = z.infer<typeof Xspress3EndJson>

/** Just enough of any Xspress3 header to dispatch on `htype`. */
export const Xspress3Htype = z.looseObject({ htype: z.string() })
export type Xspress3Htype = z.infer<typeof Xspress3Htype>

/**
 * Names of the metadata arrays, in the order the device pickles them (one value per
 * channel each): output count rate, all events, all good events, clock ticks, total ticks,
 * reset ticks, event widths, dead-time correction factor — Dranspose's names — and, since
 * 2024, `window_counts` (`[windows, channels]`). Arrays beyond these are named `meta_<index>`.
 */
export const XSPRESS3_META_NAMES: readonly string[] = Object.freeze([
  'ocr',
  'AllEvents',
  'AllGood',
  'ClockTicks',
  'TotalTicks',
  'ResetTicks',
  'event_widths',
  'dtc',
  'window_counts',
])
