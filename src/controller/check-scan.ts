import type { ProcessInfo } from '../control/process-info.js'
import {
  MAIN_PART,
  MappingInvalidError,
  type MappingIssue,
  type ScanPlan,
  type Sequence,
} from '../mapping/index.js'

/**
 * Check a compiled scan against the live ensemble (pure): every stream must be served by a live
 * ingester, and at least `plan.minWorkers` workers must be live. Paths name the stream (`[s]`
 * for a plain map, `['parts', part, s]` in a sequence).
 * @throws MappingInvalidError `MAPPING_INVALID` listing everything that is missing.
 */
export function checkScan(
  sequence: Sequence,
  plan: ScanPlan,
  ingesters: readonly ProcessInfo[],
  workerCount: number,
): void {
  const served = new Set(ingesters.flatMap((i) => i.streams ?? []))
  const plain = sequence.sequence.length === 1 && Object.keys(sequence.parts)[0] === MAIN_PART
  const issues: MappingIssue[] = []
  for (const [part, map] of Object.entries(sequence.parts)) {
    for (const stream of Object.keys(map)) {
      if (served.has(stream)) continue
      const path = plain ? [stream] : ['parts', part, stream]
      issues.push({ path, message: `stream '${stream}' is not served by any live ingester` })
    }
  }
  if (workerCount < plan.minWorkers) {
    issues.push({
      path: [],
      message: `only ${workerCount} workers available, but ${plan.minWorkers} required`,
    })
  }
  if (issues.length > 0) throw new MappingInvalidError('scan', issues)
}
