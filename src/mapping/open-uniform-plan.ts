import { BeamloomError, ConfigError, StateError } from '../errors.js'
import type { EventNumber, StreamName } from '../protocol/ids.js'
import type { AssignablePlan } from './assignable-plan.js'
import { type CompiledPart, compilePart } from './compile-part.js'
import { type EventLocation, START_END_PART, startEndTriggerMap } from './scan-plan.js'
import { MAIN_PART, PartName } from './sequence.js'
import { TagSetTable } from './tag-set-table.js'
import type { TriggerMapEntry } from './trigger-map.js'
import { uniformTriggerMap } from './uniform.js'
import { GENERIC_TAG } from './virtual-worker.js'

/** Options of {@link openUniformPlan}. */
export interface OpenUniformPlanOptions {
  /**
   * Make the first and the last event the start and end events, which broadcast every stream
   * to every generic worker (Dranspose's `all_wrap`), as {@link compileScanPlan} does. Default
   * true.
   */
  readonly allWrap?: boolean
}

/**
 * A uniform scan whose length is known only at its end ("uniform until the end is known"): the
 * scan a live uniform map assigns ({@link uniformTriggerMap} wrapped by `all_wrap`, Dranspose's
 * `Map.from_uniform`), for a source read as a stream — `beamloom replay`'s recordings, captures,
 * HDF5 stacks and source classes.
 *
 * Every event that is not a start or end event carries a constraint of its own on every stream,
 * so all streams of an event meet in one generic worker. With `allWrap`, event 0 and the last
 * event are the start and end events; as in a compiled plan they go to every worker holding a
 * tag the scan uses: every generic worker, or nobody (the frames are read and discarded) when
 * the scan has no event between them. Each event is a part instance of its own, with one
 * constraint: the binding the uniform map's constraint i gives, without a part whose length
 * must be known. Memory does not grow with the events.
 *
 * It grows as its source is read: {@link extend}`(n)` says the scan has at least `n` events and
 * none of them is its end event, {@link end}`(n)` that it has exactly `n`, the last being the end
 * event (with `allWrap` and n ≥ 2; one event is the start event alone). An {@link Assigner}
 * serving it is told through `extendPlan` and `endPlan`, which also serve the workers waiting
 * with credits; until the plan ends, it gives out only the events below {@link eventCount} and
 * is not finished.
 */
export class OpenUniformPlan implements AssignablePlan {
  /** The streams every event carries, in plan order. */
  readonly streams: readonly StreamName[]
  /** Whether the first and the last event are the start and end events. */
  readonly allWrap: boolean
  /** @internal */
  readonly tagSets = new TagSetTable()
  private readonly streamIndex: ReadonlyMap<string, number>
  private readonly uniform: CompiledPart
  /** The start and end events of a scan with ordinary events: to every generic worker. */
  private readonly wrap: CompiledPart
  /** The start and end events of a scan without: read and discarded. */
  private readonly emptyWrap: CompiledPart
  /** Events known to exist (from {@link extend}), or all of them once ended. */
  private known = 0
  private isEnded = false

  /** @internal Use {@link openUniformPlan}. */
  constructor(streams: readonly StreamName[], options: OpenUniformPlanOptions = {}) {
    if (streams.length === 0 || new Set(streams).size !== streams.length) {
      throw new ConfigError('an open uniform plan needs one or more distinct streams')
    }
    this.streams = [...streams]
    this.allWrap = options.allWrap ?? true
    this.streamIndex = new Map(this.streams.map((s, i) => [s, i]))
    const main = uniformTriggerMap(this.streams, 1)
    this.uniform = compilePart(PartName.parse(MAIN_PART), main, this.streams, this.tagSets)
    const wrapName = PartName.parse(START_END_PART)
    const wrap = startEndTriggerMap(this.streams, [GENERIC_TAG])
    this.wrap = compilePart(wrapName, wrap, this.streams, this.tagSets)
    const empty = startEndTriggerMap(this.streams, [])
    this.emptyWrap = compilePart(wrapName, empty, this.streams, this.tagSets)
  }

  /**
   * Events whose part is known, which an Assigner may give out: every event of the scan once
   * {@link ended}; before, the known ones — but with `allWrap` none until event 1 is known to be
   * an ordinary event, since the start event's workers depend on it.
   */
  get eventCount(): number {
    return this.isEnded || !this.allWrap || this.known >= 2 ? this.known : 0
  }

  /** Whether the scan's length is known ({@link eventCount} is final). */
  get ended(): boolean {
    return this.isEnded
  }

  /** Events known to exist so far (an Assigner may not give them all out yet: {@link eventCount}). */
  get knownEvents(): number {
    return this.known
  }

  /** Whether `event` is the start or the end event (with `allWrap`). */
  isStartOrEnd(event: number): boolean {
    if (!this.allWrap) return false
    return event === 0 || (this.isEnded && event === this.known - 1)
  }

  /**
   * Whether the scan has an event that is neither its start nor its end event, as far as known:
   * with `allWrap`, false until event 1 is known to be one (or the plan ended with three events
   * or more).
   */
  get hasOrdinaryEvents(): boolean {
    if (!this.allWrap) return this.known > 0
    return this.isEnded ? this.known >= 3 : this.known >= 2
  }

  /** Index of the part instance holding `event`: the event itself. */
  instanceOf(event: number): number {
    const count = this.eventCount
    if (!Number.isInteger(event) || event < 0 || event >= count) {
      const known = this.isEnded ? 'outside the scan' : 'not known yet'
      throw new BeamloomError('STATE_INVALID', `event ${event} is ${known} (0..${count - 1})`)
    }
    return event
  }

  /** First event of part instance `instance`: the instance's one event. */
  instanceStartOf(instance: number): number {
    return instance
  }

  /** The event after part instance `instance`. */
  instanceEndOf(instance: number): number {
    return instance + 1
  }

  /** @internal The compiled part of part instance `instance`. */
  partOf(instance: number): CompiledPart {
    if (!this.isStartOrEnd(instance)) return this.uniform
    return this.hasOrdinaryEvents ? this.wrap : this.emptyWrap
  }

  /** @internal Index of `stream` in {@link streams}, or -1. */
  streamIndexOf(stream: StreamName): number {
    return this.streamIndex.get(stream) ?? -1
  }

  /** Part instance, part name (`main`, or `reserved_start_end`) and local event of `event`. */
  locate(event: EventNumber | number): EventLocation {
    const partInstance = this.instanceOf(event)
    return { partInstance, part: this.partOf(partInstance).name, localEvent: 0, firstEvent: event }
  }

  /** The trigger-map entry of `stream` in `event` (defaults filled in); `null` for other streams. */
  entryAt(stream: StreamName, event: EventNumber | number): TriggerMapEntry {
    const part = this.partOf(this.instanceOf(event))
    return (Object.hasOwn(part.source, stream) ? part.source[stream]?.[0] : undefined) ?? null
  }

  /**
   * The scan has at least `eventCount` events, none of them its end event. With an
   * {@link Assigner} serving the plan, call {@link Assigner.extendPlan} instead.
   * @throws StateError (`STATE_INVALID`) once the plan ended, for a count below the known one or
   *   not a non-negative integer.
   */
  extend(eventCount: number): void {
    this.checkCount(eventCount)
    if (this.isEnded) throw new StateError(`the plan ended at ${this.known} events`)
    this.known = eventCount
  }

  /**
   * The scan has exactly `eventCount` events; with `allWrap` and two or more, the last is the end
   * event. Ending again at the same count does nothing. With an {@link Assigner} serving the
   * plan, call {@link Assigner.endPlan} instead.
   * @throws StateError (`STATE_INVALID`) for another count once ended, a count below the known
   *   one, an end event already known as an ordinary one, or not a non-negative integer.
   */
  end(eventCount: number): void {
    if (this.isEnded && eventCount === this.known) return
    this.checkCount(eventCount)
    if (this.isEnded) throw new StateError(`the plan ended at ${this.known} events`)
    if (this.allWrap && eventCount >= 2 && eventCount - 1 < this.known) {
      throw new StateError(
        `event ${eventCount - 1} is known as an ordinary event; it cannot be the end event`,
      )
    }
    this.known = eventCount
    this.isEnded = true
  }

  private checkCount(eventCount: number): void {
    if (!Number.isSafeInteger(eventCount) || eventCount < this.known) {
      throw new StateError(
        `event count must be an integer of at least ${this.known}, got ${eventCount}`,
      )
    }
  }
}

/**
 * A uniform plan over `streams` whose length is not known yet (see {@link OpenUniformPlan}):
 * serve it with an {@link Assigner}, growing and ending it through the Assigner.
 *
 * @throws ConfigError (`CONFIG_INVALID`) for no streams or a stream named twice.
 */
export function openUniformPlan(
  streams: readonly StreamName[],
  options: OpenUniformPlanOptions = {},
): OpenUniformPlan {
  return new OpenUniformPlan(streams, options)
}
