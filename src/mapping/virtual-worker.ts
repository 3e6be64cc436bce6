import { z } from 'zod'

/** The tag every worker carries unless configured otherwise, and the default of a virtual worker. */
export const GENERIC_TAG = 'generic'

/** A worker capability tag, e.g. `generic` or `gpu`. */
export const WorkerTag = z.string().min(1, { error: 'a tag must be a non-empty string' })
export type WorkerTag = z.infer<typeof WorkerTag>

/**
 * A constraint groups frames that must reach the same real worker within one part instance.
 * Non-negative safe integer, or `null` meaning "every worker with matching tags".
 */
export const Constraint = z
  .number({ error: 'constraint must be a non-negative integer or null' })
  .int({ error: 'constraint must be an integer' })
  .nonnegative({ error: 'constraint must not be negative' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'constraint is too large' })
export type Constraint = z.infer<typeof Constraint>

/**
 * A virtual worker in a trigger map entry (wire format identical to Dranspose's).
 *
 * - `tags` (default `["generic"]`): a real worker qualifies when its tags include all of these.
 * - `constraint` (default `null`): frames with the same constraint in one part instance go to
 *   the same real worker, in event order; `null` broadcasts to every live qualifying worker.
 *
 * Unknown keys are rejected (a typo such as `constrain` would otherwise silently broadcast);
 * Dranspose ignores them. See docs/adr/0006-strict-trigger-map-validation.md.
 */
export const VirtualWorker = z.strictObject({
  tags: z.array(WorkerTag).default([GENERIC_TAG]),
  constraint: Constraint.nullable().default(null),
})
export type VirtualWorker = z.infer<typeof VirtualWorker>
