import { StateError } from '../errors.js'
import type { StreamName, WorkerName } from '../protocol/ids.js'
import type { EventAssignment, EventCompletion, StreamRoute } from './assigner-types.js'
import type { BroadcastRecord, InstanceState } from './assignment-records.js'
import type { AssignmentState } from './assignment-state.js'
import { CELL_LIST, type CompiledPart } from './compile-part.js'
import { isBound } from './instance-window.js'

/** Cursor over part instances for reading consecutive events without repeated searches. */
interface Place {
  index: number
  start: number
  end: number
  part: CompiledPart
  state: InstanceState | undefined
}

function placeOf(st: AssignmentState, event: number, prev: Place | undefined): Place {
  if (prev !== undefined && event >= prev.start && event < prev.end) return prev
  const index = st.plan.instanceOf(event)
  return {
    index,
    start: st.plan.instanceStartOf(index),
    end: st.plan.instanceEndOf(index),
    part: st.plan.partOf(index),
    state: st.instances.get(index),
  }
}

/**
 * Collect into `out` the ids of the workers that receive stream `s` in `event`; returns the cell
 * kind. Ids are sorted by worker name. Constraints whose worker was handed back are left out.
 */
function resolve(
  st: AssignmentState,
  place: Place,
  event: number,
  s: number,
  out: number[],
): number {
  out.length = 0
  const { part } = place
  const local = event - place.start
  const cell = part.cells[local * st.plan.streams.length + s]!
  if (cell !== CELL_LIST) return cell
  let record: BroadcastRecord | undefined
  const end = part.vwOffsets[local + 1]!
  for (let k = part.vwOffsets[local]!; k < end; k++) {
    if (part.vwStream[k] !== s) continue
    const c = part.vwConstraint[k]!
    if (c >= 0) {
      const inst = place.state
      if (inst === undefined) {
        throw new StateError(`event ${event} is complete and its assignment was compacted`)
      }
      const id = inst.overrides?.get(c)?.get(event) ?? inst.binding[c]!
      if (isBound(id) && !out.includes(id)) out.push(id)
    } else {
      record ??= st.broadcasts.find(event)
      for (const id of record?.joined ?? []) {
        if (st.slots[id]!.eligible[part.vwTagSet[k]!] === 1 && !out.includes(id)) out.push(id)
      }
    }
  }
  if (out.length > 1) out.sort((a, b) => compareNames(st.slots[a]!.name, st.slots[b]!.name))
  return cell
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function namesOf(st: AssignmentState, ids: readonly number[]): WorkerName[] {
  return ids.map((id) => st.slots[id]!.name)
}

/**
 * Routing of `stream` for released events `[from, to)`, as runs of consecutive events that go to
 * the same workers. One run object per change of routing, none per event.
 *
 * @throws StateError (`STATE_INVALID`) for an unknown stream, a range outside the released
 *   events, or constraint events already compacted (read routes right after each release).
 * @internal
 */
export function readRoutes(
  st: AssignmentState,
  stream: StreamName,
  from: number,
  to: number,
): StreamRoute[] {
  const s = st.plan.streamIndexOf(stream)
  if (s < 0) throw new StateError(`stream '${stream}' is not part of the scan`)
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to)) {
    throw new StateError(`invalid event range [${from}, ${to})`)
  }
  if (to > st.released) throw new StateError(`events from ${st.released} are not released yet`)
  const runs: StreamRoute[] = []
  const ids: number[] = []
  let runIds: number[] = []
  let runCell = -1
  let runStart = from
  let place: Place | undefined
  for (let e = from; e < to; e++) {
    place = placeOf(st, e, place)
    const cell = resolve(st, place, e, s, ids)
    if (cell === runCell && sameIds(ids, runIds)) continue
    if (runCell >= 0) runs.push(routeOf(st, runStart, e, runCell, runIds))
    runCell = cell
    runIds = ids.slice()
    runStart = e
  }
  if (runCell >= 0) runs.push(routeOf(st, runStart, to, runCell, runIds))
  return runs
}

function routeOf(st: AssignmentState, start: number, end: number, cell: number, ids: number[]) {
  return { start, end, workers: cell === 0 ? null : namesOf(st, ids) }
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Workers per stream of a released event; undefined when not released yet. @internal */
export function readAssignment(st: AssignmentState, event: number): EventAssignment | undefined {
  if (event >= st.released) return undefined
  const place = placeOf(st, event, undefined)
  const assignments = new Map<StreamName, readonly WorkerName[]>()
  const ids: number[] = []
  st.plan.streams.forEach((stream, s) => {
    if (resolve(st, place, event, s, ids) !== 0) assignments.set(stream, namesOf(st, ids))
  })
  return { eventNumber: event, assignments }
}

/** Who reported `event` complete and who is still awaited. @internal */
export function readCompletion(st: AssignmentState, event: number): EventCompletion {
  const none: readonly WorkerName[] = []
  if (event >= st.released) {
    return {
      state: 'unreleased',
      reported: none,
      waitingFor: none,
      unbound: false,
      compacted: false,
    }
  }
  if (event < st.completedFrontier()) {
    return { state: 'done', reported: none, waitingFor: none, unbound: false, compacted: true }
  }
  const place = placeOf(st, event, undefined)
  const assigned = new Set<number>()
  const ids: number[] = []
  for (let s = 0; s < st.plan.streams.length; s++) {
    resolve(st, place, event, s, ids)
    for (const id of ids) assigned.add(id)
  }
  const waiting = [...st.live.values()].filter((w) => w.held.has(event)).map((w) => w.id)
  const unbound = st.handbacks.some((h) => {
    for (let i = h.from; i < h.to; i++) if (h.offset + h.events[i]! === event) return true
    return false
  })
  const reported = [...assigned].filter((id) => !waiting.includes(id))
  const byName = (a: number, b: number) => compareNames(st.slots[a]!.name, st.slots[b]!.name)
  return {
    state: waiting.length === 0 && !unbound ? 'done' : 'released',
    reported: namesOf(st, reported.sort(byName)),
    waitingFor: namesOf(st, waiting.sort(byName)),
    unbound,
    compacted: false,
  }
}
