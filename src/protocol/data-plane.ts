import { z } from 'zod'

/** Version of the data-plane wire format; every header carries it as `v`. */
export const DATA_PLANE_VERSION = 2

/**
 * Where an event's work came from: the constraint, or the broadcast entry, it was assigned
 * through. The reducer deduplicates by (scan, event, slot). The transport carries it opaquely;
 * the assignment layer chooses the numbering (a non-negative safe integer).
 */
export const Slot = z.int().nonnegative().brand<'Slot'>()
export type Slot = z.infer<typeof Slot>

/** Brand a trusted in-process number as a slot (no validation; use the schema at edges). */
export const slot = (n: number): Slot => n as Slot

function isLayout(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false
  for (const n of value) if (!Number.isSafeInteger(n) || n < 0) return false
  return true
}

/**
 * A flat layout in a batch header: an array of non-negative safe integers. One tight check
 * instead of a schema per element: a layout has hundreds of numbers per message.
 */
export const Layout = z.custom<number[]>(isLayout, {
  message: 'expected an array of non-negative safe integers',
})
