import type {
  AssignmentEntry,
  EventBatch,
  EventNumber,
  Slot,
  StreamData,
  WorkerName,
} from '../src/internal.js'
import { MinHeap } from './min-heap.js'

/**
 * An event ready for the worker: every stream routed to it has arrived. A `duplicate` is an
 * event this worker already finished in this scan that was sent again (a re-send after a
 * re-route): report it done again with the same slot, do not process it twice.
 */
export interface ReadyEvent {
  readonly eventNumber: EventNumber
  readonly slot: Slot
  readonly streams: Readonly<Record<string, StreamData>>
  readonly duplicate: boolean
}

/** What one assignment entry changed for this worker. */
export interface EntryOutcome {
  /** Events newly expected (routes name this worker). */
  readonly expected: number
  /** Expected events routed away from this worker by a re-route: they leave its window. */
  readonly reroutedAway: number
  /** Events dropped because the completed frontier passed them (done elsewhere). */
  readonly stale: number
}

interface Pending {
  readonly eventNumber: number
  /** Streams the routes send to this worker for this event. */
  readonly needed: Set<string>
  /** What has arrived (null prototype: any stream name is a plain key). */
  readonly streams: Record<string, StreamData>
  /** Needed streams not arrived yet. */
  missing: number
  /** Routes name this worker for this event (else: frames arrived before the entry). */
  expected: boolean
  /** Slot from the assignment (own slot or an override); the batch's slot as fallback. */
  slot: number | undefined
  batchSlot: number | undefined
  queued: boolean
}

type Queued = { readonly pending: Pending } | { readonly duplicate: ReadyEvent }

const keyOf = (q: Queued): number =>
  'pending' in q ? q.pending.eventNumber : q.duplicate.eventNumber

/**
 * Assembles the events of one scan for one worker (pure, no I/O).
 *
 * Fed with the scan's {@link AssignmentEntry}s in order (which events and streams this worker
 * must process, with which slot) and with the ingesters' {@link EventBatch}es (the frames), in
 * any interleaving: frames that arrive before the entry naming their event wait for it. An
 * event is ready when every stream routed to this worker has arrived; {@link takeReady} hands
 * out ready events lowest first. Frames are kept by reference, never copied.
 */
export class EventAssembler {
  readonly worker: WorkerName
  readonly #pending = new Map<number, Pending>()
  readonly #ready = new MinHeap<Queued>(keyOf)
  /** Events finished in this scan, with their slot, at or above the completed frontier. */
  readonly #finished = new Map<number, Slot>()
  #ownSlot: number | undefined
  #frontier = 0

  constructor(worker: WorkerName) {
    this.worker = worker
  }

  /** This worker's own slot, once an entry has given it. */
  get ownSlot(): number | undefined {
    return this.#ownSlot
  }

  /** Events below this are complete (reduced); nothing below it is kept or processed. */
  get completedFrontier(): number {
    return this.#frontier
  }

  /** Events known (expected or with frames) and not handed out yet. */
  get pendingCount(): number {
    return this.#pending.size
  }

  /** Entries waiting in the ready queue (some may turn out stale when taken). */
  get readyCount(): number {
    return this.#ready.size
  }

  /** Apply one assignment entry (entries must be applied in `seq` order). */
  applyEntry(entry: AssignmentEntry): EntryOutcome {
    const me = this.worker
    const own = entry.workerSlots[me]
    if (own !== undefined) this.#ownSlot = own
    const overrides = entry.slots.filter((s) => s[2] === me)
    // Re-routed events are specified anew by this entry's routes: forget what they needed.
    const reconsider: Pending[] = []
    for (const [from, to] of entry.rerouted) {
      this.#eachPending(from, to, (p) => {
        if (!p.expected) return
        p.expected = false
        p.needed.clear()
        p.missing = 0
        reconsider.push(p)
      })
    }
    let expected = 0
    const touched: Pending[] = []
    for (const stream in entry.routes) {
      for (const [from, to, workers] of entry.routes[stream]!) {
        if (workers === null || !workers.includes(me)) continue
        for (let e = from; e < to; e++) {
          if (e < this.#frontier || this.#finished.has(e)) continue
          let p = this.#pending.get(e)
          if (p === undefined) {
            p = newPending(e)
            this.#pending.set(e, p)
          }
          if (!p.expected) {
            p.expected = true
            expected++
            touched.push(p)
          }
          p.slot = slotFor(e, overrides) ?? this.#ownSlot
          if (!p.needed.has(stream)) {
            p.needed.add(stream)
            if (p.streams[stream] === undefined) p.missing++
          }
        }
      }
    }
    let reroutedAway = 0
    for (const p of reconsider) {
      if (p.expected) {
        expected-- // it was expected before the re-route: not new
        continue
      }
      this.#pending.delete(p.eventNumber)
      p.queued = false
      reroutedAway++
    }
    for (const p of touched) this.#queueIfReady(p)
    for (const p of reconsider) if (p.expected) this.#queueIfReady(p)
    const stale = this.#advanceFrontier(entry.completedFrontier)
    return { expected, reroutedAway, stale }
  }

  /** Take in the frames of one batch; resolves how many events became ready. */
  addBatch(batch: EventBatch): number {
    let ready = 0
    for (const ev of batch.events) {
      const e: number = ev.eventNumber
      if (e < this.#frontier) continue
      const done = this.#finished.get(e)
      if (done !== undefined) {
        const duplicate = { eventNumber: ev.eventNumber, slot: done, streams: ev.streams }
        this.#ready.push({ duplicate: { ...duplicate, duplicate: true } })
        ready++
        continue
      }
      let p = this.#pending.get(e)
      if (p === undefined) {
        p = newPending(e)
        this.#pending.set(e, p)
      }
      p.batchSlot = ev.slot
      for (const name in ev.streams) {
        if (p.streams[name] !== undefined) continue // a re-send of what we have
        p.streams[name] = ev.streams[name]!
        if (p.needed.has(name)) p.missing--
      }
      if (this.#queueIfReady(p)) ready++
    }
    return ready
  }

  /**
   * The lowest ready event, or `undefined`. A non-duplicate event is recorded as finished when
   * taken (a later re-send of it comes back as a duplicate).
   */
  takeReady(): ReadyEvent | undefined {
    for (;;) {
      const q = this.#ready.pop()
      if (q === undefined) return undefined
      if ('duplicate' in q) {
        if (q.duplicate.eventNumber < this.#frontier) continue
        return q.duplicate
      }
      const p = q.pending
      // Stale queue entry: re-routed away, now waiting for more, or already taken.
      if (!p.queued || this.#pending.get(p.eventNumber) !== p) continue
      p.queued = false
      if (p.missing > 0 || !p.expected) continue
      this.#pending.delete(p.eventNumber)
      const slot = (p.slot ?? p.batchSlot ?? 0) as Slot
      this.#finished.set(p.eventNumber, slot)
      return {
        eventNumber: p.eventNumber as EventNumber,
        slot,
        streams: p.streams,
        duplicate: false,
      }
    }
  }

  /**
   * Give back an event taken with {@link takeReady} that was not finished: it is no longer
   * recorded as finished, its frames are kept. `expected`: it is still this worker's and is
   * ready again at once (it was not run); else it waits until an entry routes it here again
   * (the controller may hand it to this worker once more) and is dropped when the completed
   * frontier passes it.
   */
  putBack(event: ReadyEvent, expected: boolean): void {
    const e: number = event.eventNumber
    if (this.#finished.get(e) === event.slot) this.#finished.delete(e)
    if (e < this.#frontier || this.#pending.has(e)) return
    const p = newPending(e)
    for (const name in event.streams) {
      p.streams[name] = event.streams[name]!
      p.needed.add(name)
    }
    p.slot = event.slot
    p.batchSlot = event.slot
    p.expected = expected
    this.#pending.set(e, p)
    this.#queueIfReady(p)
  }

  #queueIfReady(p: Pending): boolean {
    if (p.queued || !p.expected || p.missing > 0) return false
    p.queued = true
    this.#ready.push({ pending: p })
    return true
  }

  #eachPending(from: number, to: number, fn: (p: Pending) => void): void {
    if (to - from <= this.#pending.size) {
      for (let e = from; e < to; e++) {
        const p = this.#pending.get(e)
        if (p !== undefined) fn(p)
      }
    } else {
      for (const p of [...this.#pending.values()]) {
        if (p.eventNumber >= from && p.eventNumber < to) fn(p)
      }
    }
  }

  #advanceFrontier(frontier: number): number {
    if (frontier <= this.#frontier) return 0
    const before = this.#frontier
    this.#frontier = frontier
    let stale = 0
    this.#eachPending(before, frontier, (p) => {
      this.#pending.delete(p.eventNumber)
      p.queued = false
      if (p.expected) stale++
    })
    for (const e of this.#finished.keys()) if (e < frontier) this.#finished.delete(e)
    return stale
  }
}

function newPending(eventNumber: number): Pending {
  return {
    eventNumber,
    needed: new Set(),
    streams: Object.create(null) as Record<string, StreamData>,
    missing: 0,
    expected: false,
    slot: undefined,
    batchSlot: undefined,
    queued: false,
  }
}

function slotFor(
  event: number,
  overrides: readonly (readonly [number, number, string, number])[],
): number | undefined {
  for (const [from, to, , slot] of overrides) if (event >= from && event < to) return slot
  return undefined
}
