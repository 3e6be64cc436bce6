import type { StreamName } from '../protocol/ids.js'
import { PartName, type Sequence } from './sequence.js'
import type { TriggerMap } from './trigger-map.js'
import { GENERIC_TAG } from './virtual-worker.js'

/**
 * The trigger map of `eventCount` independent events over `streams`: event i carries constraint
 * i on every stream, so all streams of one event meet in one generic worker (Dranspose's
 * `Map.from_uniform`). Materialises `eventCount` entries per stream.
 */
export function uniformTriggerMap(streams: readonly StreamName[], eventCount: number): TriggerMap {
  const map: TriggerMap = {}
  for (const s of streams) {
    map[s] = Array.from({ length: eventCount }, (_, i) => [{ tags: [GENERIC_TAG], constraint: i }])
  }
  return map
}

/**
 * A uniform scan of `partLength × repeats` events as one part repeated (memory of one part):
 * the way to describe a million-event scan without a million entries.
 */
export function uniformSequence(
  streams: readonly StreamName[],
  partLength: number,
  repeats: number,
): Sequence {
  const main = PartName.parse('main')
  return {
    parts: { [main]: uniformTriggerMap(streams, partLength) },
    sequence: Array.from({ length: repeats }, () => main),
  }
}
