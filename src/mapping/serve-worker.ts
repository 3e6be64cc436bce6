import { UNSEEN, type WorkerSlot } from './assignment-records.js'
import type { AssignmentState } from './assignment-state.js'
import type { BatchBuilder } from './batch-builder.js'
import { qualifiesForConstraint } from './compile-part.js'

/**
 * Spend `worker`'s credits, strictly in event order:
 * 1. constraints handed back by removed workers (the oldest work, it blocks completion);
 * 2. constraints and broadcasts the scan already met that wait for this worker;
 * 3. new events at the scan cursor, binding unseen constraints and joining broadcasts.
 *
 * A unit (one constraint binding, or one broadcast join) is taken while the worker has a
 * positive balance; a constraint costs every event it covers in its part instance, so the last
 * unit may overshoot (the balance goes negative). Events that need nothing from this worker are
 * scanned for free, so the release frontier also moves over `null` and `[]` events.
 * @internal
 */
export function serveWorker(st: AssignmentState, worker: WorkerSlot, batch: BatchBuilder): void {
  if (!worker.live || worker.balance <= 0 || st.isBehindHorizon(worker)) return
  if (!serveHandbacks(st, worker, batch)) return
  if (!serveWaiting(st, worker, batch)) return
  scanAhead(st, worker, batch)
}

function serveHandbacks(st: AssignmentState, worker: WorkerSlot, batch: BatchBuilder): boolean {
  for (let i = 0; i < st.handbacks.length; ) {
    const item = st.handbacks[i]!
    if (worker.eligible[item.tagSet] !== 1 || avoids(st, item.avoid, item.tagSet, worker)) {
      i++
      continue
    }
    if (worker.balance <= 0) return false
    st.bindPending(worker, item, batch)
    st.handbacks.splice(i, 1)
  }
  return true
}

/** Whether `worker` should leave a hand-back to another live worker that can take it. */
function avoids(
  st: AssignmentState,
  avoid: number | undefined,
  tagSet: number,
  worker: WorkerSlot,
): boolean {
  if (avoid !== worker.id) return false
  return st.liveSlots.some((w) => w !== worker && w.eligible[tagSet] === 1)
}

function serveWaiting(st: AssignmentState, worker: WorkerSlot, batch: BatchBuilder): boolean {
  const book = st.broadcasts
  let r = book.unreleasedIndexFrom(worker.broadcastCursor)
  let p = nextEligible(st, worker, firstPendingFrom(st, worker.pendingCursor))
  for (;;) {
    let record = book.at(r)
    while (record !== undefined && !record.waiting.includes(worker.id)) {
      worker.broadcastCursor = record.event + 1
      record = book.at(++r)
    }
    const item = st.pending[p]
    if (item === undefined && record === undefined) {
      worker.pendingCursor = st.scanCursor
      worker.broadcastCursor = st.scanCursor
      return true
    }
    if (worker.balance <= 0) return false
    if (record !== undefined && (item === undefined || record.event <= item.first)) {
      st.join(worker, record, batch)
      worker.broadcastCursor = record.event + 1
      r++
    } else if (item !== undefined) {
      st.bindPending(worker, item, batch)
      // Several constraints can first be needed by one event: keep the cursor on it.
      worker.pendingCursor = item.first
      p = nextEligible(st, worker, p + 1)
    }
  }
}

function scanAhead(st: AssignmentState, worker: WorkerSlot, batch: BatchBuilder): void {
  const limit = Math.min(st.plan.eventCount, st.released + st.lookaheadEvents)
  while (st.scanCursor < limit && scanEvent(st, worker, st.scanCursor, batch)) {
    st.scanCursor++
    st.version++
  }
  if (worker.pendingCursor < st.scanCursor) worker.pendingCursor = st.scanCursor
}

/** Handle every virtual worker of `event`; false if the worker ran out of credits on the way. */
function scanEvent(
  st: AssignmentState,
  worker: WorkerSlot,
  event: number,
  batch: BatchBuilder,
): boolean {
  const inst = st.instanceForScan(event)
  const part = inst.part
  const local = event - inst.start
  if (part.hasBroadcast[local] === 1) {
    const record = st.recordFor(event, part, local)
    if (record.waiting.includes(worker.id)) {
      if (worker.balance <= 0) return false
      st.join(worker, record, batch)
    }
  }
  const end = part.vwOffsets[local + 1]!
  for (let k = part.vwOffsets[local]!; k < end; k++) {
    const c = part.vwConstraint[k]!
    if (c < 0 || inst.binding[c] !== UNSEEN) continue
    if (qualifiesForConstraint(part, c, worker.eligible)) {
      if (worker.balance <= 0) return false
      const from = part.constraintEventOffsets[c]!
      const to = part.constraintEventOffsets[c + 1]!
      st.bind(worker, inst, c, part.constraintEvents, from, to, inst.start, batch)
    } else {
      st.registerPending(inst, c, event)
    }
  }
  return true
}

function firstPendingFrom(st: AssignmentState, event: number): number {
  let lo = st.pendingHead
  let hi = st.pending.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (st.pending[mid]!.first < event) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the first pending binding at or after `from` that `worker` may take (or past the end). */
function nextEligible(st: AssignmentState, worker: WorkerSlot, from: number): number {
  let i = from
  while (i < st.pending.length) {
    const item = st.pending[i]!
    if (!item.done && worker.eligible[item.tagSet] === 1) return i
    i++
  }
  return i
}
