import type { AssignablePlan } from './assignable-plan.js'
import {
  type BroadcastRecord,
  type InstanceState,
  PENDING,
  type PendingBinding,
  type WorkerSlot,
} from './assignment-records.js'
import type { BatchBuilder } from './batch-builder.js'
import { BroadcastBook } from './broadcast-book.js'
import { type CompiledPart, qualifiesForBroadcast } from './compile-part.js'
import { InstanceWindow } from './instance-window.js'

/**
 * The mutable state of one scan's assignment and its low-level moves (bind, join, register,
 * release, compact). Policy (who is served, in which order) lives in `serve-worker.ts` and
 * `assigner.ts`. Every move that could give a waiting worker new work bumps `version`.
 * @internal
 */
export class AssignmentState {
  readonly slots: WorkerSlot[] = []
  readonly live = new Map<string, WorkerSlot>()
  /** The live workers, in order of arrival (same content as `live`, cheaper to walk). */
  liveSlots: WorkerSlot[] = []
  /** Workers with credits left, in the order they started waiting. */
  readonly hungry = new Set<WorkerSlot>()
  readonly instances: InstanceWindow
  readonly broadcasts = new BroadcastBook()
  /** Bindings registered by the scan, ascending by first event; done ones are skipped. */
  pending: PendingBinding[] = []
  pendingHead = 0
  /** Bindings handed back by removed workers, ascending by first event. */
  readonly handbacks: PendingBinding[] = []
  /** Every event below it has been looked at: its constraints are bound or pending. */
  scanCursor = 0
  /** Every event below it is fully assigned and published. Never decreases. */
  released = 0
  version = 0
  private scanInstance: InstanceState | undefined

  constructor(
    readonly plan: AssignablePlan,
    readonly horizonEvents: number,
    readonly lookaheadEvents: number,
  ) {
    this.instances = new InstanceWindow(plan)
  }

  /** The instance state holding `event`, for the scan (entering the window if needed). */
  instanceForScan(event: number): InstanceState {
    const cached = this.scanInstance
    if (cached !== undefined && event >= cached.start && event < cached.end) return cached
    const inst = this.instances.enter(this.plan.instanceOf(event))
    this.scanInstance = inst
    return inst
  }

  /** Whether `worker` qualifies for any broadcast virtual worker of `local` in `part`. */
  eligibleForBroadcast(worker: WorkerSlot, part: CompiledPart, local: number): boolean {
    return qualifiesForBroadcast(part, local, worker.eligible)
  }

  /** The broadcast record of `event`, created (awaiting every live eligible worker) if new. */
  recordFor(event: number, part: CompiledPart, local: number): BroadcastRecord {
    const last = this.broadcasts.last()
    if (last !== undefined && last.event === event) return last
    const waiting: number[] = []
    for (const w of this.liveSlots) {
      if (this.eligibleForBroadcast(w, part, local)) waiting.push(w.id)
    }
    const record: BroadcastRecord = { event, part, local, waiting, joined: [] }
    this.broadcasts.push(record)
    this.version++
    return record
  }

  /** `worker` takes its place in the broadcast of `record`. */
  join(worker: WorkerSlot, record: BroadcastRecord, batch: BatchBuilder): void {
    const i = record.waiting.indexOf(worker.id)
    if (i >= 0) {
      record.waiting[i] = record.waiting[record.waiting.length - 1]!
      record.waiting.pop()
    }
    record.joined.push(worker.id)
    this.give(worker, record.event, batch)
    worker.balance--
    this.version++
  }

  /** Bind constraint `c` of `inst` to `worker`: it takes `offset + events[from..to)`. */
  bind(
    worker: WorkerSlot,
    inst: InstanceState,
    c: number,
    events: ArrayLike<number>,
    from: number,
    to: number,
    offset: number,
    batch: BatchBuilder,
  ): void {
    inst.binding[c] = worker.id
    let added = 0
    for (let i = from; i < to; i++) if (this.give(worker, offset + events[i]!, batch)) added++
    // Every unit costs at least one credit, so a worker does not collect every constraint of an
    // event it already holds (Dranspose binds one constraint per call).
    worker.balance -= Math.max(1, added)
    this.version++
  }

  /** Bind a pending (or handed-back) constraint to `worker`. */
  bindPending(worker: WorkerSlot, item: PendingBinding, batch: BatchBuilder): void {
    item.done = true
    const { instance, constraint, events, from, to, offset } = item
    this.bind(worker, instance, constraint, events, from, to, offset, batch)
  }

  /** Constraint `c` of `inst`, first needed at `event`, waits for an eligible worker. */
  registerPending(inst: InstanceState, c: number, event: number): void {
    const part = inst.part
    inst.binding[c] = PENDING
    this.pending.push({
      instance: inst,
      constraint: c,
      tagSet: part.constraintTagSet[c]!,
      events: part.constraintEvents,
      from: part.constraintEventOffsets[c]!,
      to: part.constraintEventOffsets[c + 1]!,
      offset: inst.start,
      first: event,
      done: false,
      releaseCursor: 0,
    })
    this.version++
  }

  /** Whether `worker` still holds an event further behind the release frontier than allowed. */
  isBehindHorizon(worker: WorkerSlot): boolean {
    return worker.held.first() < this.released - this.horizonEvents
  }

  /** Move the release frontier over every event that is now fully assigned. */
  updateReleased(): void {
    let frontier = this.scanCursor
    while (this.pendingHead < this.pending.length && this.pending[this.pendingHead]!.done) {
      this.pendingHead++
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead)
      this.pendingHead = 0
    }
    const head = this.pending[this.pendingHead]
    if (head !== undefined) frontier = Math.min(frontier, head.first)
    for (const item of this.handbacks) {
      while (
        item.from + item.releaseCursor < item.to &&
        item.offset + item.events[item.from + item.releaseCursor]! < this.released
      ) {
        item.releaseCursor++
      }
      if (item.from + item.releaseCursor < item.to) {
        frontier = Math.min(frontier, item.offset + item.events[item.from + item.releaseCursor]!)
      }
    }
    frontier = this.broadcasts.firstAwaiting(frontier)
    if (frontier > this.released) {
      this.released = frontier
      this.broadcasts.markReleased(frontier)
      this.version++
    }
  }

  /** Every event below the returned number is released and completed by all its workers. */
  completedFrontier(): number {
    let frontier = this.released
    const live = this.liveSlots
    for (let i = 0; i < live.length; i++) frontier = Math.min(frontier, live[i]!.held.first())
    const handbacks = this.handbacks
    for (let i = 0; i < handbacks.length; i++) frontier = Math.min(frontier, handbacks[i]!.first)
    return frontier
  }

  /** Forget what completed events no longer need. */
  compact(): void {
    const frontier = this.completedFrontier()
    this.instances.release(frontier)
    this.broadcasts.forgetBelow(frontier)
  }

  private give(worker: WorkerSlot, event: number, batch: BatchBuilder): boolean {
    if (!worker.held.add(event)) return false
    batch.grant(worker, event)
    if (event < this.released) batch.reroute(event)
    return true
  }
}
