import { StateError } from '../errors.js'
import type { WorkerName } from '../protocol/ids.js'
import {
  type InstanceState,
  PENDING,
  type PendingBinding,
  type WorkerSlot,
} from './assignment-records.js'
import type { AssignmentState } from './assignment-state.js'
import type { BatchBuilder } from './batch-builder.js'
import { EventRangeSet } from './event-range-set.js'

/**
 * Register a live worker. It is immediately awaited by every unreleased broadcast it qualifies
 * for (it must join them before they are released), and gets work once it asks with credits.
 *
 * @throws StateError (`STATE_INVALID`) if a live worker already has this name.
 * @internal
 */
export function addWorkerTo(
  st: AssignmentState,
  name: WorkerName,
  tags: readonly string[],
): WorkerSlot {
  if (st.live.has(name)) throw new StateError(`worker '${name}' is already registered`)
  const slot: WorkerSlot = {
    id: st.slots.length,
    name,
    eligible: st.plan.tagSets.eligibility(new Set(tags)),
    held: new EventRangeSet(),
    live: true,
    balance: 0,
    triedAt: -1,
    broadcastCursor: st.released,
    pendingCursor: st.released,
    grant: null,
  }
  st.slots.push(slot)
  st.live.set(name, slot)
  st.liveSlots.push(slot)
  for (const record of st.broadcasts.unreleasedFrom(st.released)) {
    if (st.eligibleForBroadcast(slot, record.part, record.local)) record.waiting.push(slot.id)
  }
  st.version++
  return slot
}

/** What {@link removeWorkerFrom} reports, before serving anybody. @internal */
export interface Handback {
  readonly unfinished: EventRangeSet
  readonly rebinding: EventRangeSet
  readonly dropped: EventRangeSet
}

/**
 * Hand constraint `c` of `inst`, bound to `w`, back to wait for a new worker: only the events
 * `w` has not completed move; the ones it completed keep it as their worker (overrides).
 * Resolves the events that move (empty: nothing left to move, the binding stays as history).
 * The caller sorts `st.handbacks` and re-routes.
 */
function handBack(
  st: AssignmentState,
  w: WorkerSlot,
  inst: InstanceState,
  c: number,
  avoid = false,
): number[] {
  const part = inst.part
  const from = part.constraintEventOffsets[c]!
  const to = part.constraintEventOffsets[c + 1]!
  const left: number[] = []
  for (let i = from; i < to; i++) {
    const event = inst.start + part.constraintEvents[i]!
    if (w.held.has(event)) left.push(event)
  }
  if (left.length === 0) return left
  inst.overrides ??= new Map()
  let byEvent = inst.overrides.get(c)
  if (byEvent === undefined) {
    byEvent = new Map()
    inst.overrides.set(c, byEvent)
  }
  for (let i = from; i < to; i++) {
    const event = inst.start + part.constraintEvents[i]!
    if (!w.held.has(event) && !byEvent.has(event)) byEvent.set(event, w.id)
  }
  inst.binding[c] = PENDING
  const item: PendingBinding = {
    instance: inst,
    constraint: c,
    tagSet: part.constraintTagSet[c]!,
    events: left,
    from: 0,
    to: left.length,
    offset: 0,
    first: left[0]!,
    done: false,
    releaseCursor: 0,
    ...(avoid ? { avoid: w.id } : {}),
  }
  st.handbacks.push(item)
  return left
}

/** What {@link retryEventFrom} did with an event a worker could not process. */
export type Retry =
  /** Its constraint(s) wait for a new worker (the event and the rest of what it held of them). */
  | { readonly kind: 'handed-back'; readonly events: EventRangeSet }
  /** A broadcast event: the worker's place in it is dropped (nobody replaces it). */
  | { readonly kind: 'dropped' }
  /** The worker does not hold the event (completed, moved, or never its). */
  | { readonly kind: 'not-held' }

/**
 * `name` could not process `event` (its analysis overran its time or crashed): take the event
 * from it so another worker tries. Every constraint of the event bound to the worker is handed
 * back whole (so "same constraint, same worker" holds from then on, as when a worker leaves);
 * a broadcast place of the worker is dropped. Re-routes go into `batch`.
 * @throws StateError (`STATE_INVALID`) if no live worker has this name.
 * @internal
 */
export function retryEventFrom(
  st: AssignmentState,
  name: WorkerName,
  event: number,
  batch: BatchBuilder,
): Retry {
  const w = st.live.get(name)
  if (w === undefined) throw new StateError(`worker '${name}' is not registered`)
  if (!w.held.has(event)) return { kind: 'not-held' }
  const moved = new EventRangeSet()
  for (const inst of st.instances) {
    if (event < inst.start || event >= inst.end) continue
    const part = inst.part
    for (let c = 0; c < part.constraintCount; c++) {
      if (inst.binding[c] !== w.id) continue
      const from = part.constraintEventOffsets[c]!
      const to = part.constraintEventOffsets[c + 1]!
      let mine = false
      for (let i = from; i < to && !mine; i++)
        mine = inst.start + part.constraintEvents[i]! === event
      if (!mine) continue
      for (const e of handBack(st, w, inst, c, true)) {
        moved.add(e)
        w.held.removeRange(e, e + 1)
      }
    }
  }
  st.handbacks.sort((a, b) => a.first - b.first)
  let kind: Retry['kind'] = moved.size > 0 ? 'handed-back' : 'not-held'
  if (w.held.has(event)) {
    // Still held: its place in a broadcast. Drop it, as for a worker that left.
    for (const record of st.broadcasts.all()) {
      if (record.event !== event) continue
      const j = record.joined.indexOf(w.id)
      if (j >= 0) record.joined.splice(j, 1)
    }
    w.held.removeRange(event, event + 1)
    moved.add(event)
    if (kind === 'not-held') kind = 'dropped'
  }
  for (const [start, end] of moved.ranges()) {
    for (let e = start; e < Math.min(end, st.released); e++) batch.reroute(e)
  }
  st.version++
  return kind === 'handed-back' ? { kind, events: moved } : { kind }
}

/**
 * Remove a live worker (it left or was declared dead). Each constraint it was bound to with
 * unfinished events is handed back, whole, to wait for a new worker — only the unfinished events
 * move; events it completed keep their history. Its places in broadcasts are dropped: unreleased
 * broadcasts stop waiting for it, released ones it had not finished lose it (Dranspose waits
 * forever here; see docs/adr/0004-hand-back-work-of-removed-workers.md).
 *
 * @throws StateError (`STATE_INVALID`) if no live worker has this name.
 * @internal
 */
export function removeWorkerFrom(
  st: AssignmentState,
  name: WorkerName,
  batch: BatchBuilder,
): Handback {
  const w = st.live.get(name)
  if (w === undefined) throw new StateError(`worker '${name}' is not registered`)
  const unfinished = new EventRangeSet()
  for (const [start, end] of w.held.ranges()) unfinished.addRange(start, end)
  const rebinding = new EventRangeSet()
  const dropped = new EventRangeSet()

  for (const inst of st.instances) {
    for (let c = 0; c < inst.part.constraintCount; c++) {
      if (inst.binding[c] !== w.id) continue
      for (const event of handBack(st, w, inst, c)) rebinding.add(event)
    }
  }
  st.handbacks.sort((a, b) => a.first - b.first)

  for (const record of st.broadcasts.all()) {
    const i = record.waiting.indexOf(w.id)
    if (i >= 0) record.waiting.splice(i, 1)
    const j = record.joined.indexOf(w.id)
    if (j >= 0 && w.held.has(record.event)) {
      record.joined.splice(j, 1)
      dropped.add(record.event)
    }
  }

  for (const set of [rebinding, dropped]) {
    for (const [start, end] of set.ranges()) {
      for (let e = start; e < Math.min(end, st.released); e++) batch.reroute(e)
    }
  }
  w.live = false
  w.held.clear()
  w.balance = 0
  st.live.delete(name)
  st.liveSlots = st.liveSlots.filter((slot) => slot !== w)
  st.hungry.delete(w)
  st.version++
  return { unfinished, rebinding, dropped }
}
