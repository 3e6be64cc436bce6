import { z } from 'zod'
import type { ControlPlane } from '../control/control-plane.js'
import { StateError } from '../errors.js'
import type { ScanId } from '../protocol/ids.js'
import { AssignmentEntry, parseControlJson, Range } from '../protocol/scan-messages.js'
import { StreamField } from '../protocol/stream-field.js'

/**
 * One input the controller fed to a scan's `Assigner`. The assigner is pure and deterministic,
 * so replaying the inputs in order rebuilds it exactly: that is how a restarted controller
 * resumes a running scan.
 */
export const JournalInput = z.union([
  /** A worker joined: name, tags, registry instance id. */
  z.tuple([z.literal('add'), z.string().min(1), z.array(z.string().min(1)), z.string()]),
  /** A worker left or expired. */
  z.tuple([z.literal('remove'), z.string().min(1)]),
  /** A credit request was applied. */
  z.tuple([z.literal('credit'), z.string().min(1), z.int().nonnegative()]),
  /** A worker's events were reported complete (reduced). */
  z.tuple([z.literal('complete'), z.string().min(1), z.array(Range)]),
  /** A worker could not process an event (timeout, crash): worker, event, reason. */
  z.tuple([z.literal('fault'), z.string().min(1), z.int().nonnegative(), z.string()]),
])
export type JournalInput = z.infer<typeof JournalInput>

/**
 * The controller's journal, stored as field `j` of each `assignments(scanId)` entry next to the
 * `AssignmentEntry` (field `a`), so both are written atomically. Other roles read only `a`.
 */
export const ScanJournal = z.object({
  /** Inputs applied since the previous entry, in order; the entry is what they produced. */
  inputs: z.array(JournalInput),
  /** Stream ids of the last credit request and completion report these inputs include. */
  credits: z.string(),
  completions: z.string(),
})
export type ScanJournal = z.infer<typeof ScanJournal>

/**
 * Read a scan's assignment entries with their journals, oldest first, in pages.
 * @throws StateError `STATE_INVALID` for an entry without a journal (written by someone else).
 */
export async function* readJournal(
  plane: ControlPlane,
  scanId: ScanId,
): AsyncGenerator<{ entry: AssignmentEntry; journal: ScanJournal }, void, undefined> {
  const key = plane.keys.assignments(scanId)
  let start = '-'
  for (;;) {
    const page = await plane.xrange(key, { start, count: 512 })
    for (const e of page) {
      const entry = parseControlJson(
        AssignmentEntry,
        e.fields.get(StreamField.assignment),
        'assignment entry',
      )
      const bytes = e.fields.get(StreamField.journal)
      if (bytes === undefined) throw new StateError(`assignment entry ${entry.seq} has no journal`)
      yield { entry, journal: parseControlJson(ScanJournal, bytes, 'scan journal') }
    }
    const last = page[page.length - 1]
    if (last === undefined || page.length < 512) return
    start = `(${last.id}`
  }
}
