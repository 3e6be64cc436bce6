import type { StreamName } from '../protocol/ids.js'
import type { PartName } from './sequence.js'
import type { TagSetTable } from './tag-set-table.js'
import { type TriggerMap, triggerMapLength } from './trigger-map.js'

/** Kind of one (stream, event) cell of a compiled part. @internal */
export const CELL_NULL = 0
/** @internal */
export const CELL_DISCARD = 1
/** @internal */
export const CELL_LIST = 2

/**
 * One trigger map flattened into typed arrays, so that assignment walks it without allocating.
 * Constraints are renumbered densely (0..constraintCount-1) in order of first appearance.
 * @internal
 */
export interface CompiledPart {
  readonly name: PartName
  readonly source: TriggerMap
  readonly length: number
  /** Cell kind per `local * streamCount + stream` (stream index in the plan's stream list). */
  readonly cells: Uint8Array
  /** Virtual workers of local event e are `vw*[vwOffsets[e] .. vwOffsets[e+1])`. */
  readonly vwOffsets: Uint32Array
  readonly vwStream: Int32Array
  readonly vwTagSet: Int32Array
  /** Dense constraint index, or -1 for a broadcast ("all") virtual worker. */
  readonly vwConstraint: Int32Array
  /** 1 when local event e has at least one broadcast virtual worker. */
  readonly hasBroadcast: Uint8Array
  readonly constraintCount: number
  /** Constraint value as written in the map, per dense index. */
  readonly constraintValue: readonly number[]
  /** Dense index per constraint value. */
  readonly constraintIndex: ReadonlyMap<number, number>
  /**
   * Union of the tags of every occurrence of the constraint in the part: a worker must have all
   * of them to be bound (docs/adr/0008-constraint-tags-are-the-union-of-its-occurrences.md).
   */
  readonly constraintTagSet: Int32Array
  /** Local events of dense constraint c are `constraintEvents[offsets[c] .. offsets[c+1])`. */
  readonly constraintEventOffsets: Uint32Array
  readonly constraintEvents: Int32Array
  /** Frames read per stream in this part (non-null cells). */
  readonly framesPerStream: Int32Array
  /** Largest number of distinct constraints in one event (Dranspose's `min_workers`). */
  readonly minWorkers: number
}

/** Flatten one validated trigger map against the plan-wide stream list and tag-set table. @internal */
export function compilePart(
  name: PartName,
  source: TriggerMap,
  streams: readonly StreamName[],
  tagSets: TagSetTable,
): CompiledPart {
  const length = triggerMapLength(source)
  const streamCount = streams.length
  const cells = new Uint8Array(length * streamCount)
  const framesPerStream = new Int32Array(streamCount)
  const lists = streams.map((s) => (Object.hasOwn(source, s) ? source[s] : undefined))
  const vwOffsets = new Uint32Array(length + 1)
  const vwStream: number[] = []
  const vwTagSet: number[] = []
  const vwConstraint: number[] = []
  const hasBroadcast = new Uint8Array(length)
  const dense = new Map<number, number>()
  const constraintValue: number[] = []
  const constraintTags: Set<string>[] = []
  const eventsOf: number[][] = []
  let minWorkers = 0

  for (let local = 0; local < length; local++) {
    vwOffsets[local] = vwStream.length
    const inEvent = new Set<number>()
    lists.forEach((list, s) => {
      const entry = list?.[local] ?? null
      if (entry === null) return
      framesPerStream[s] = framesPerStream[s]! + 1
      cells[local * streamCount + s] = entry.length === 0 ? CELL_DISCARD : CELL_LIST
      for (const vw of entry) {
        const tagSet = tagSets.intern(vw.tags)
        vwStream.push(s)
        vwTagSet.push(tagSet)
        if (vw.constraint === null) {
          vwConstraint.push(-1)
          hasBroadcast[local] = 1
          continue
        }
        let c = dense.get(vw.constraint)
        if (c === undefined) {
          c = constraintValue.length
          dense.set(vw.constraint, c)
          constraintValue.push(vw.constraint)
          constraintTags.push(new Set())
          eventsOf.push([])
        }
        for (const tag of vw.tags) constraintTags[c]!.add(tag)
        vwConstraint.push(c)
        if (!inEvent.has(c)) {
          inEvent.add(c)
          eventsOf[c]!.push(local)
        }
      }
    })
    minWorkers = Math.max(minWorkers, inEvent.size)
  }
  vwOffsets[length] = vwStream.length

  const constraintEventOffsets = new Uint32Array(constraintValue.length + 1)
  const constraintEvents = new Int32Array(eventsOf.reduce((n, evs) => n + evs.length, 0))
  let at = 0
  eventsOf.forEach((evs, c) => {
    constraintEventOffsets[c] = at
    constraintEvents.set(evs, at)
    at += evs.length
  })
  constraintEventOffsets[constraintValue.length] = at

  return {
    name,
    source,
    length,
    cells,
    vwOffsets,
    vwStream: Int32Array.from(vwStream),
    vwTagSet: Int32Array.from(vwTagSet),
    vwConstraint: Int32Array.from(vwConstraint),
    hasBroadcast,
    constraintCount: constraintValue.length,
    constraintValue,
    constraintIndex: dense,
    constraintTagSet: Int32Array.from(constraintTags, (tags) => tagSets.intern([...tags])),
    constraintEventOffsets,
    constraintEvents,
    framesPerStream,
    minWorkers,
  }
}

/**
 * Whether a worker qualifies for a broadcast ("all") virtual worker of local event `local` of
 * `part`: it then receives the event. `eligible` is the worker's eligibility per tag set
 * ({@link TagSetTable.eligibility}). @internal
 */
export function qualifiesForBroadcast(
  part: CompiledPart,
  local: number,
  eligible: Uint8Array,
): boolean {
  for (let k = part.vwOffsets[local]!; k < part.vwOffsets[local + 1]!; k++) {
    if (part.vwConstraint[k]! < 0 && eligible[part.vwTagSet[k]!] === 1) return true
  }
  return false
}

/**
 * Whether a worker may be bound to dense constraint `c` of `part`: it has the tags of every
 * occurrence of the constraint in the part. @internal
 */
export function qualifiesForConstraint(
  part: CompiledPart,
  c: number,
  eligible: Uint8Array,
): boolean {
  return eligible[part.constraintTagSet[c]!] === 1
}
