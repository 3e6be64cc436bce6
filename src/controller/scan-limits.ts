import { MappingInvalidError, type Sequence } from '../mapping/index.js'

/**
 * How large a scan the controller accepts (see docs/security.md). A scan is described by parts
 * (trigger maps, materialised in memory) and a sequence of part names (repeats cost a few bytes
 * each): large uniform scans repeat a small part instead of sending one huge map.
 */
export interface ScanLimits {
  /** Most events in one scan, start/end events included. */
  readonly maxEvents: number
  /** Most events (entries per stream) in one trigger map or part. */
  readonly maxMapEvents: number
  /** Most part instances in a sequence's `sequence` list. */
  readonly maxSequenceLength: number
}

/** The defaults of {@link ScanLimits} (`CONTROLLER_MAX_EVENTS`, `_MAX_MAP_EVENTS`, `_MAX_SEQUENCE_LENGTH`). */
export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxEvents: 10_000_000,
  maxMapEvents: 100_000,
  maxSequenceLength: 100_000,
}

/** Events in one trigger map: the length of its lists (all equal in a valid map). */
function mapLength(map: Readonly<Record<string, readonly unknown[]>>): number {
  for (const entries of Object.values(map)) return entries.length
  return 0
}

/**
 * Check a validated sequence against the limits before anything is compiled (pure, O(parts +
 * sequence length)): no stream at all (`{}`), an empty sequence, a part or sequence over its
 * limit, or a scan of more than `maxEvents` events is refused.
 * @throws MappingInvalidError `MAPPING_INVALID` (HTTP 400) naming the limit and its env variable.
 */
export function checkScanLimits(sequence: Sequence, allWrap: boolean, limits: ScanLimits): void {
  const parts = Object.entries(sequence.parts)
  if (parts.every(([, map]) => Object.keys(map).length === 0)) {
    throw new MappingInvalidError('scan', [
      { path: [], message: 'the map names no stream: nothing to scan' },
    ])
  }
  if (sequence.sequence.length === 0) {
    throw new MappingInvalidError('scan', [
      { path: ['sequence'], message: 'the sequence is empty: nothing to scan' },
    ])
  }
  if (sequence.sequence.length > limits.maxSequenceLength) {
    throw new MappingInvalidError('scan', [
      {
        path: ['sequence'],
        message: `${sequence.sequence.length} part instances, more than the ${limits.maxSequenceLength} allowed (CONTROLLER_MAX_SEQUENCE_LENGTH)`,
      },
    ])
  }
  const lengths = new Map<string, number>()
  for (const [name, map] of parts) {
    const length = mapLength(map)
    if (length > limits.maxMapEvents) {
      throw new MappingInvalidError('scan', [
        {
          path: ['parts', name],
          message: `${length} events in one map, more than the ${limits.maxMapEvents} allowed (CONTROLLER_MAX_MAP_EVENTS): repeat a smaller part in a sequence`,
        },
      ])
    }
    lengths.set(name, length)
  }
  let events = allWrap ? 2 : 0
  for (const name of sequence.sequence) events += lengths.get(name) ?? 0
  if (events > limits.maxEvents) {
    throw new MappingInvalidError('scan', [
      {
        path: [],
        message: `${events} events, more than the ${limits.maxEvents} allowed (CONTROLLER_MAX_EVENTS)`,
      },
    ])
  }
}
