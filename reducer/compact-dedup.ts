import type { Logger } from 'pino'
import type { ControlPlane } from '../src/internal.js'
import { AssignmentEntry, parseControlJson, StreamField } from '../src/internal.js'
import type { ScanRun } from './scan-run.js'

/**
 * Shrink a scan's exactly-once filter to the work in flight: read the newest assignment entry
 * of the scan (one command, only when the filter has doubled) and forget every event below its
 * `completedFrontier`. The reducer follows `assignments(scanId)` this far and no further:
 * slots travel in the result items. A failed read is logged and retried at the next doubling.
 */
export async function compactDedup(
  plane: ControlPlane,
  run: ScanRun,
  logger: Logger,
): Promise<void> {
  try {
    const [last] = await plane.xrevrange(plane.keys.assignments(run.scanId), { count: 1 })
    const frontier =
      last === undefined
        ? 0
        : parseControlJson(
            AssignmentEntry,
            last.fields.get(StreamField.assignment),
            `assignment ${last.id}`,
          ).completedFrontier
    run.dedup.compactBelow(frontier)
  } catch (err) {
    run.dedup.compactBelow(0)
    logger.warn({ err, scan: run.scanId }, 'could not read the completed frontier')
  }
}
