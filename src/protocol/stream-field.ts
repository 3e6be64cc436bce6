/**
 * The field names of control-plane stream entries: each entry carries one JSON value under a
 * one-letter name. They are on the wire (Redis streams, recordings of the control plane) and
 * must never change; code names them only through this table.
 *
 * - `update` (`u`): a `ScanUpdate` on the scan-updates stream;
 * - `assignment` (`a`): an `AssignmentEntry` on a scan's assignment stream;
 * - `journal` (`j`): the controller's `ScanJournal` next to that assignment entry;
 * - `message` (`c`): a credit request or fault (credits stream), a completion report
 *   (completions stream) or a parameter change (parameter feed);
 * - `entry` (`e`): a log entry (log stream) or a process event (process-events stream).
 */
export const StreamField = {
  update: 'u',
  assignment: 'a',
  journal: 'j',
  message: 'c',
  entry: 'e',
} as const
/** One of the {@link StreamField} names. */
export type StreamField = (typeof StreamField)[keyof typeof StreamField]
