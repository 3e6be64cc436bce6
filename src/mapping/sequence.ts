import { z } from 'zod'
import { TriggerMap } from './trigger-map.js'

/** Name of a part of a sequence, e.g. `main`. */
export const PartName = z
  .string()
  .min(1, { error: 'a part name must be non-empty' })
  .brand<'PartName'>()
export type PartName = z.infer<typeof PartName>

/** The part name `POST /api/v1/mapping` uses for a single trigger map (as Dranspose does). */
export const MAIN_PART = 'main'

/**
 * A long scan described without materialising it: named trigger maps (`parts`) concatenated in
 * the order `sequence` names them; a part may appear many times. Every name in `sequence` must
 * exist in `parts`; an unknown name is reported at `['sequence', index]`.
 */
export const Sequence = z
  .strictObject({
    parts: z.record(PartName, TriggerMap),
    sequence: z.array(PartName),
  })
  .superRefine((value, ctx) => {
    value.sequence.forEach((name, index) => {
      if (!Object.hasOwn(value.parts, name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sequence', index],
          message: `sequence names part '${name}', which is not in parts`,
        })
      }
    })
  })
export type Sequence = z.infer<typeof Sequence>

/** The one-part sequence `{ parts: { main: map }, sequence: ['main'] }` that a plain map stands for. */
export function sequenceFromTriggerMap(map: TriggerMap): Sequence {
  const main = PartName.parse(MAIN_PART)
  return { parts: { [main]: map }, sequence: [main] }
}
