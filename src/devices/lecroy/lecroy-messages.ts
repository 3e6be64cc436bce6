import { z } from 'zod'

/**
 * JSON parts of the LeCroy oscilloscope stream (MAX IV's MAUI bridge). Control messages are
 * `htype: msg` with `what` 0 prepare, 1 sequence start, 2 sequence end, 3 stop; each
 * channel's waveforms come as `htype: traces` followed by the raw array and a pickled list
 * of trigger timestamps. Unknown fields pass through.
 */

const Frame = z.number().int().nonnegative()

/** `what: 0` — the scope prepares a run; the ingester's start event. */
export const LecroyPrepareJson = z.looseObject({
  htype: z.literal('msg'),
  what: z.literal(0),
  frame: Frame,
})
export type LecroyPrepareJson = z.infer<typeof LecroyPrepareJson>

/** `what: 1` — a sequence (one event) starts; `ntriggers` −1 means continuous mode. */
export const LecroySeqStartJson = z.looseObject({
  htype: z.literal('msg'),
  what: z.literal(1),
  frame: Frame,
  ntriggers: z.number().int(),
  seqno: z.number().int(),
  channels: z.array(z.number().int()),
})
export type LecroySeqStartJson = z.infer<typeof LecroySeqStartJson>

/** `what: 2` — the sequence is complete. */
export const LecroySeqEndJson = z.looseObject({
  htype: z.literal('msg'),
  what: z.literal(2),
  frame: Frame,
})
export type LecroySeqEndJson = z.infer<typeof LecroySeqEndJson>

/** `what: 3` — the run stopped after `frames` messages; the ingester's end event. */
export const LecroyStopJson = z.looseObject({
  htype: z.literal('msg').optional(),
  what: z.literal(3),
  frame: Frame,
  frames: z.number().int().nonnegative(),
})
export type LecroyStopJson = z.infer<typeof LecroyStopJson>

/** `htype: traces` — one channel's waveforms of a sequence: `shape` `[triggers, samples]`. */
export const LecroyTracesJson = z.looseObject({
  htype: z.literal('traces'),
  ch: z.number().int(),
  /** Unix time of the sequence, seconds. */
  ts: z.number(),
  frame: Frame,
  shape: z.array(z.number().int().nonnegative()).min(1),
  dtype: z.string(),
  /** Time of the first sample relative to the trigger, seconds. */
  horiz_offset: z.number(),
  /** Time between samples, seconds. */
  horiz_interval: z.number(),
})
export type LecroyTracesJson = z.infer<typeof LecroyTracesJson>

/** Just enough of a first part to dispatch. */
export const LecroyKind = z.looseObject({
  htype: z.string().optional(),
  what: z.number().optional(),
})
export type LecroyKind = z.infer<typeof LecroyKind>

/** The pickled list of per-trigger timestamps (Unix seconds) after each traces part. */
export const LecroyTimestamps = z.array(z.number())
export type LecroyTimestamps = z.infer<typeof LecroyTimestamps>
