import { BeamloomError } from '../errors.js'
import { type EventNumber, type StreamName, streamName } from '../protocol/ids.js'
import type { AssignablePlan } from './assignable-plan.js'
import { CELL_DISCARD, CELL_LIST, type CompiledPart, compilePart } from './compile-part.js'
import { PartName, type Sequence } from './sequence.js'
import { TagSetTable } from './tag-set-table.js'
import type { TriggerMap, TriggerMapEntry } from './trigger-map.js'
import type { VirtualWorker } from './virtual-worker.js'

/** Name Dranspose gives the one-event part that wraps a scan (start and end events). */
export const START_END_PART = 'reserved_start_end'

/** Options of {@link compileScanPlan}. */
export interface ScanPlanOptions {
  /**
   * Wrap the scan in a start event and an end event that broadcast every stream's first and last
   * frame to every worker holding any tag used in the scan (Dranspose's `all_wrap`). Default true.
   */
  readonly allWrap?: boolean
}

/** Where an event sits in the sequence. */
export interface EventLocation {
  /** Index of the part instance (position in the wrapped sequence); constraints are scoped to it. */
  readonly partInstance: number
  readonly part: PartName
  /** Event number within the part instance, from 0. */
  readonly localEvent: number
  /** Global number of the part instance's first event. */
  readonly firstEvent: number
}

/**
 * A compiled, immutable scan: the sequence flattened into part instances without materialising
 * events. Memory is of the order of the parts plus the sequence length, never of the event count.
 *
 * Events are numbered from 0 like Dranspose: with `allWrap`, event 0 is the start event and
 * `eventCount - 1` the end event.
 */
export class ScanPlan implements AssignablePlan {
  /** Total number of events, start and end events included. */
  readonly eventCount: number
  /** A compiled plan has all its events from the start. */
  readonly ended = true
  /** Every stream named by any part, in order of first appearance (Dranspose: `all_streams`). */
  readonly streams: readonly StreamName[]
  /** Whether start and end events wrap the sequence. */
  readonly allWrap: boolean
  /** Largest number of distinct constraints any event needs: fewer workers cannot run the scan. */
  readonly minWorkers: number
  /** Every tag used by any virtual worker of any part, sorted. */
  readonly tags: readonly string[]
  /** The validated sequence this plan was compiled from (without the wrap). */
  readonly source: Sequence
  /** Number of part instances (sequence positions, wrap included). */
  readonly partInstanceCount: number
  /** @internal */
  readonly tagSets: TagSetTable
  /** @internal Compiled parts by index. */
  readonly parts: readonly CompiledPart[]
  /** @internal Compiled part index per part instance. */
  readonly instancePart: Int32Array
  /** @internal First global event per part instance, plus `eventCount` at the end. */
  readonly instanceStart: readonly number[]
  private readonly streamIndex: ReadonlyMap<string, number>

  /** @internal Use {@link compileScanPlan}. */
  constructor(source: Sequence, options: ScanPlanOptions = {}) {
    this.source = source
    this.allWrap = options.allWrap ?? true
    const names = Object.keys(source.parts).map((n) => PartName.parse(n))
    const streams: StreamName[] = []
    const seen = new Set<string>()
    for (const name of names) {
      for (const s of Object.keys(source.parts[name] ?? {})) {
        if (!seen.has(s)) {
          seen.add(s)
          streams.push(streamName(s))
        }
      }
    }
    this.streams = streams
    this.streamIndex = new Map(streams.map((s, i) => [s, i]))
    this.tagSets = new TagSetTable()
    const parts = names.map((n) => compilePart(n, source.parts[n] ?? {}, streams, this.tagSets))
    const tags = new Set<string>()
    for (let id = 0; id < this.tagSets.size; id++) {
      for (const t of this.tagSets.tagsOf(id)) tags.add(t)
    }
    this.tags = [...tags].sort()
    this.minWorkers = parts.reduce((m, p) => Math.max(m, p.minWorkers), 0)

    const byName = new Map(names.map((n, i) => [n, i]))
    const order = source.sequence.map((n) => {
      const index = byName.get(n)
      if (index === undefined) throw new BeamloomError('MAPPING_INVALID', `unknown part '${n}'`)
      return index
    })
    if (this.allWrap) {
      const wrap = startEndTriggerMap(streams, this.tags)
      parts.push(compilePart(PartName.parse(START_END_PART), wrap, streams, this.tagSets))
      order.unshift(parts.length - 1)
      order.push(parts.length - 1)
    }
    this.parts = parts
    this.instancePart = Int32Array.from(order)
    this.partInstanceCount = order.length
    const starts: number[] = []
    let at = 0
    for (const p of order) {
      starts.push(at)
      at += parts[p]!.length
    }
    starts.push(at)
    this.instanceStart = starts
    this.eventCount = at
  }

  /** Index of the part instance holding `event` (binary search, O(log sequence length)). */
  instanceOf(event: number): number {
    this.check(event)
    let lo = 0
    let hi = this.partInstanceCount - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.instanceStart[mid]! <= event) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  /** First event of part instance `instance`. */
  instanceStartOf(instance: number): number {
    return this.instanceStart[instance]!
  }

  /** The event after the last of part instance `instance`. */
  instanceEndOf(instance: number): number {
    return this.instanceStart[instance + 1]!
  }

  /** @internal The compiled part of part instance `instance`. */
  partOf(instance: number): CompiledPart {
    return this.parts[this.instancePart[instance]!]!
  }

  /** Part instance, part name and local event number of `event`. */
  locate(event: EventNumber | number): EventLocation {
    const partInstance = this.instanceOf(event)
    const firstEvent = this.instanceStart[partInstance]!
    const part = this.parts[this.instancePart[partInstance]!]!
    return { partInstance, part: part.name, localEvent: event - firstEvent, firstEvent }
  }

  /**
   * The trigger-map entry of `stream` in `event`: `null` (not read), `[]` (read and discarded)
   * or the virtual workers (defaults filled in). Streams unknown to the plan give `null`.
   */
  entryAt(stream: StreamName, event: EventNumber | number): TriggerMapEntry {
    const { partInstance, localEvent } = this.locate(event)
    const part = this.parts[this.instancePart[partInstance]!]!
    const list = Object.hasOwn(part.source, stream) ? part.source[stream] : undefined
    return list?.[localEvent] ?? null
  }

  /** The streams that have a frame in `event` (entry not `null`), in plan order. */
  streamsAt(event: EventNumber | number): StreamName[] {
    const { partInstance, localEvent } = this.locate(event)
    const part = this.parts[this.instancePart[partInstance]!]!
    const n = this.streams.length
    return this.streams.filter((_, s) => {
      const cell = part.cells[localEvent * n + s]
      return cell === CELL_DISCARD || cell === CELL_LIST
    })
  }

  /** Number of frames `stream` contributes over the whole scan (events where it is not `null`). */
  frameCount(stream: StreamName): number {
    const s = this.streamIndex.get(stream)
    if (s === undefined) return 0
    let total = 0
    for (let i = 0; i < this.partInstanceCount; i++) {
      total += this.parts[this.instancePart[i]!]!.framesPerStream[s]!
    }
    return total
  }

  /**
   * Number of frames `stream` contributes to the events before `event` (events `0 … event-1`
   * where it is not `null`): the position of `event`'s frame in the stream's series. O(sequence
   * length + part length). `event` may equal {@link eventCount} (every frame of the scan).
   */
  framesBefore(stream: StreamName, event: EventNumber | number): number {
    const s = this.streamIndex.get(stream)
    if (s === undefined || event <= 0) return 0
    if (event >= this.eventCount) return this.frameCount(stream)
    const { partInstance, localEvent } = this.locate(event)
    let total = 0
    for (let i = 0; i < partInstance; i++) {
      total += this.parts[this.instancePart[i]!]!.framesPerStream[s]!
    }
    const part = this.parts[this.instancePart[partInstance]!]!
    const n = this.streams.length
    for (let e = 0; e < localEvent; e++) {
      const cell = part.cells[e * n + s]
      if (cell === CELL_DISCARD || cell === CELL_LIST) total++
    }
    return total
  }

  /** @internal Index of `stream` in {@link streams}, or -1. */
  streamIndexOf(stream: StreamName): number {
    return this.streamIndex.get(stream) ?? -1
  }

  /**
   * Materialise the whole scan as one trigger map (Dranspose's `expand`), wrap included.
   * O(eventCount × streams): for small scans, debugging and tests only.
   */
  expand(): TriggerMap {
    const out: Record<string, TriggerMapEntry[]> = {}
    for (const s of this.streams) out[s] = []
    for (let i = 0; i < this.partInstanceCount; i++) {
      const part = this.parts[this.instancePart[i]!]!
      for (const s of this.streams) {
        const list = Object.hasOwn(part.source, s) ? part.source[s] : undefined
        const target = out[s]!
        for (let e = 0; e < part.length; e++) target.push(list?.[e] ?? null)
      }
    }
    return out
  }

  private check(event: number): void {
    if (!Number.isInteger(event) || event < 0 || event >= this.eventCount) {
      throw new BeamloomError(
        'STATE_INVALID',
        `event ${event} is outside the scan (0..${this.eventCount - 1})`,
      )
    }
  }
}

/**
 * The one-event map of the start and end events (`all_wrap`): every stream's frame goes to every
 * worker holding any of `tags`, the tags used in the scan. @internal
 */
export function startEndTriggerMap(
  streams: readonly StreamName[],
  tags: readonly string[],
): TriggerMap {
  // Dranspose: one broadcast virtual worker per tag used anywhere, so every worker that can
  // take part in the scan sees the first and last frame; no tags at all gives a discard.
  const entry: VirtualWorker[] = tags.map((t) => ({ tags: [t], constraint: null }))
  const map: TriggerMap = {}
  for (const s of streams) map[s] = [entry]
  return map
}

/**
 * Compile a validated sequence into an immutable {@link ScanPlan}.
 *
 * @throws BeamloomError `MAPPING_INVALID` if the sequence names an unknown part (only possible
 *   when the sequence did not come from {@link parseSequence}).
 */
export function compileScanPlan(sequence: Sequence, options: ScanPlanOptions = {}): ScanPlan {
  return new ScanPlan(sequence, options)
}
