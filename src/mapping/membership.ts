import { StateError } from '../errors.js'
import type { WorkerName } from '../protocol/ids.js'
import { PENDING, type PendingBinding, type WorkerSlot } from './assignment-records.js'
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
    const part = inst.part
    for (let c = 0; c < part.constraintCount; c++) {
      if (inst.binding[c] !== w.id) continue
      const from = part.constraintEventOffsets[c]!
      const to = part.constraintEventOffsets[c + 1]!
      const left: number[] = []
      for (let i = from; i < to; i++) {
        const event = inst.start + part.constraintEvents[i]!
        if (w.held.has(event)) left.push(event)
      }
      if (left.length === 0) continue // all done: the binding stays as history
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
      }
      st.handbacks.push(item)
      for (const event of left) rebinding.add(event)
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
