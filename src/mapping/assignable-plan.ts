import type { StreamName } from '../protocol/ids.js'
import type { CompiledPart } from './compile-part.js'
import type { TagSetTable } from './tag-set-table.js'

/**
 * What the {@link Assigner} reads of a plan: its streams and tag sets, how far the scan may go,
 * and which compiled part each part instance is. A compiled {@link ScanPlan} has every event from
 * the start; an {@link OpenUniformPlan} grows as its source is read and ends when the source ends.
 * Instances are numbered from 0 and lie back to back: instance i holds events
 * `[instanceStartOf(i), instanceEndOf(i))`.
 * @internal
 */
export interface AssignablePlan {
  /** Every stream of the plan, in plan order (the index of a compiled part's cells). */
  readonly streams: readonly StreamName[]
  /** @internal The tag sets the compiled parts refer to. */
  readonly tagSets: TagSetTable
  /** Events the scan may reach now: all of the scan's events once {@link ended}. */
  readonly eventCount: number
  /** Whether {@link eventCount} is final (always, for a compiled plan). */
  readonly ended: boolean
  /**
   * Index of the part instance holding `event`.
   * @throws BeamloomError (`STATE_INVALID`) for an event outside `0 … eventCount − 1`.
   */
  instanceOf(event: number): number
  /** First event of part instance `instance` (one that holds an event below `eventCount`). */
  instanceStartOf(instance: number): number
  /** The event after the last of part instance `instance`. */
  instanceEndOf(instance: number): number
  /** @internal The compiled part of part instance `instance`. */
  partOf(instance: number): CompiledPart
  /** @internal Index of `stream` in {@link streams}, or -1. */
  streamIndexOf(stream: StreamName): number
}
