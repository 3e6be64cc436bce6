import {
  compileScanPlan,
  parseSequence,
  type ScanPlan,
  type Sequence,
} from '../../../src/mapping/index.js'
import {
  type StreamName,
  streamName,
  type WorkerName,
  workerName,
} from '../../../src/protocol/ids.js'

/** Wire-format virtual worker with a constraint. */
export const vw = (constraint: number, tags?: string[]) =>
  tags === undefined ? { constraint } : { constraint, tags }
/** Wire-format broadcast ("all") virtual worker. */
export const all = (tags?: string[]) => (tags === undefined ? {} : { tags })

/** Parse a wire-format sequence (so defaults are filled in) and compile it. */
export function planOf(
  parts: Record<string, Record<string, unknown[]>>,
  sequence: string[],
  allWrap = false,
): ScanPlan {
  const parsed: Sequence = parseSequence({ parts, sequence })
  return compileScanPlan(parsed, { allWrap })
}

export const s = (name: string): StreamName => streamName(name)
export const w = (name: string): WorkerName => workerName(name)

/** Plain-object view of an assignment map, for readable expectations. */
export function plain(map: ReadonlyMap<StreamName, readonly WorkerName[]> | undefined) {
  return map === undefined ? undefined : Object.fromEntries(map)
}
