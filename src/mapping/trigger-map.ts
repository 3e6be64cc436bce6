import { z } from 'zod'
import { StreamName } from '../protocol/ids.js'
import { VirtualWorker } from './virtual-worker.js'

/**
 * What one stream contributes to one event:
 * - `null`: the stream has no frame in this event (it is not read);
 * - `[]`: the frame is read and discarded;
 * - a list of virtual workers: the frame goes to the union of their real workers.
 */
export const TriggerMapEntry = z.array(VirtualWorker).nullable()
export type TriggerMapEntry = z.infer<typeof TriggerMapEntry>

/**
 * A trigger map: for each stream, one entry per event. Every list must have the same length;
 * a mismatch is reported at the path of each stream whose length differs from the first one.
 */
export const TriggerMap = z.record(StreamName, z.array(TriggerMapEntry)).superRefine((map, ctx) => {
  let expected: { stream: string; length: number } | undefined
  for (const [stream, entries] of Object.entries(map)) {
    if (expected === undefined) {
      expected = { stream, length: entries.length }
    } else if (entries.length !== expected.length) {
      ctx.addIssue({
        code: 'custom',
        path: [stream],
        message: `stream has ${entries.length} events but stream '${expected.stream}' has ${expected.length}; all streams of a trigger map must have the same length`,
      })
    }
  }
})
export type TriggerMap = z.infer<typeof TriggerMap>

/** Number of events of a (valid) trigger map: the common length of its lists, 0 if it has none. */
export function triggerMapLength(map: TriggerMap): number {
  for (const entries of Object.values(map)) return entries.length
  return 0
}
