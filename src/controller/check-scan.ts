import type { ProcessInfo } from '../control/process-info.js'
import {
  MAIN_PART,
  MappingInvalidError,
  type MappingIssue,
  type ScanPlan,
  type Sequence,
  START_END_PART,
} from '../mapping/index.js'

/**
 * Check a compiled scan against the live ensemble (pure): every stream must be served by a live
 * ingester, at least `plan.minWorkers` workers must be live, and every tag set a virtual worker
 * of the user's parts asks for must be held by at least one live worker (a scan that waits for
 * workers that may never come would hang; the operator starts it again once they have joined).
 * Paths name the stream (`[s]` for a plain map, `['parts', part, s]` in a sequence).
 * @throws MappingInvalidError `MAPPING_INVALID` listing everything that is missing.
 */
export function checkScan(
  sequence: Sequence,
  plan: ScanPlan,
  ingesters: readonly ProcessInfo[],
  workers: readonly Pick<ProcessInfo, 'tags'>[],
): void {
  const workerCount = workers.length
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
  issues.push(...missingTags(plan, workers))
  if (issues.length > 0) throw new MappingInvalidError('scan', issues)
}

/** One issue per tag set of the user's parts that no live worker holds (sorted, named). */
function missingTags(
  plan: ScanPlan,
  workers: readonly Pick<ProcessInfo, 'tags'>[],
): MappingIssue[] {
  const used = new Set<number>()
  for (const part of plan.parts) {
    if (part.name === START_END_PART) continue
    for (const id of part.vwTagSet) used.add(id)
  }
  const held = workers.map((w) => new Set(w.tags))
  const issues: MappingIssue[] = []
  for (const id of [...used].sort((a, b) => a - b)) {
    const tags = plan.tagSets.tagsOf(id)
    if (held.some((h) => tags.every((t) => h.has(t)))) continue
    issues.push({
      path: [],
      message: `no live worker has the tags [${tags.join(', ')}] a virtual worker asks for`,
    })
  }
  return issues
}
