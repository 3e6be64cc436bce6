import { ConfigError, StateError } from '../errors.js'
import type { EventNumber, StreamName, WorkerName } from '../protocol/ids.js'
import type { AssignablePlan } from './assignable-plan.js'
import type {
  AssignerOptions,
  AssignerStats,
  AssignmentBatch,
  CompletionResult,
  EventAssignment,
  EventCompletion,
  StreamRoute,
  WorkerRemoval,
} from './assigner-types.js'
import type { WorkerSlot } from './assignment-records.js'
import { AssignmentState } from './assignment-state.js'
import { BatchBuilder } from './batch-builder.js'
import type { EventRange } from './event-range-set.js'
import { addWorkerTo, type Retry, removeWorkerFrom, retryEventFrom } from './membership.js'
import { OpenUniformPlan } from './open-uniform-plan.js'
import { readAssignment, readCompletion, readRoutes } from './read-routes.js'
import type { ScanPlan } from './scan-plan.js'
import { serveWorker } from './serve-worker.js'
import { GENERIC_TAG } from './virtual-worker.js'

const DEFAULT_HORIZON_EVENTS = 10_000
const DEFAULT_LOOKAHEAD_EVENTS = 10_000

/**
 * Owns the assignment of one scan: which real worker gets which frame. Pure and synchronous:
 * no I/O, no clock; the controller feeds it worker messages and publishes what it returns.
 *
 * Guarantees (Dranspose's, kept): within one part instance all frames of a constraint go to one
 * real worker whose tags include the constraint's tags, in event order; a broadcast reaches every
 * live qualifying worker; events are released in order, each only once fully assigned.
 *
 * Differences (see docs/adr/): work is handed out against credits in batches (0001); the release
 * frontier never passes an incomplete part instance (0002); the horizon uses global event numbers
 * (0003); removed workers hand their work back and broadcasts stop waiting for them (0004);
 * completion tracking is compacted (0005); the scan looks ahead a bounded window (0007); a
 * constraint's worker has the tags of all the constraint's frames (0008).
 *
 * The plan is a compiled {@link ScanPlan}, or an {@link OpenUniformPlan} whose length is known
 * only at its end: it grows and ends through {@link extendPlan} and {@link endPlan}.
 *
 * Events released by a call stay readable through {@link routes} until the next mutating call
 * ({@link addWorker}, {@link removeWorker}, {@link request}, {@link complete},
 * {@link extendPlan}, {@link endPlan}); after that, completed events may be compacted.
 */
export class Assigner<P extends AssignablePlan = ScanPlan> {
  /** The scan being assigned. */
  readonly plan: P
  private readonly st: AssignmentState

  /** @throws ConfigError (`CONFIG_INVALID`) for a non-positive look-ahead or negative horizon. */
  constructor(plan: P, options: AssignerOptions = {}) {
    const horizon = options.horizonEvents ?? DEFAULT_HORIZON_EVENTS
    const lookahead = options.lookaheadEvents ?? DEFAULT_LOOKAHEAD_EVENTS
    if (!(horizon >= 0) || (Number.isFinite(horizon) && !Number.isInteger(horizon))) {
      throw new ConfigError(`horizonEvents must be a non-negative integer or Infinity`)
    }
    if (!(lookahead >= 1) || (Number.isFinite(lookahead) && !Number.isInteger(lookahead))) {
      throw new ConfigError(`lookaheadEvents must be a positive integer or Infinity`)
    }
    this.plan = plan
    this.st = new AssignmentState(plan, horizon, lookahead)
  }

  /** Events below this number are released: fully assigned and readable with {@link routes}. */
  get releasedFrontier(): number {
    return this.st.released
  }

  /** Events below this number are released and completed by every worker they went to. */
  get completedFrontier(): number {
    return this.st.completedFrontier()
  }

  /** Whether every event of the scan is complete (never before an open plan has ended). */
  get finished(): boolean {
    return this.plan.ended && this.st.completedFrontier() >= this.plan.eventCount
  }

  /** Names of the live workers, in order of arrival. */
  get workers(): WorkerName[] {
    return [...this.st.live.values()].map((w) => w.name)
  }

  /**
   * Register a live worker with its tags (default `["generic"]`). It starts with no credits;
   * unreleased broadcasts it qualifies for now wait for it.
   *
   * @throws StateError (`STATE_INVALID`) if a live worker already has this name.
   */
  addWorker(name: WorkerName, tags: readonly string[] = [GENERIC_TAG]): void {
    this.st.compact()
    addWorkerTo(this.st, name, tags)
  }

  /**
   * Remove a worker that left or was declared dead: its unfinished constraint events are handed
   * back for rebinding (to waiting workers at once, if any qualify), its broadcast places are
   * dropped, and broadcasts no longer wait for it.
   *
   * @throws StateError (`STATE_INVALID`) if no live worker has this name.
   */
  removeWorker(name: WorkerName): WorkerRemoval {
    this.st.compact()
    const batch = new BatchBuilder(this.st.released)
    const handback = removeWorkerFrom(this.st, name, batch)
    this.pump(batch)
    return {
      worker: name,
      unfinished: handback.unfinished.ranges(),
      rebinding: handback.rebinding.ranges(),
      dropped: handback.dropped.ranges(),
      batch: batch.finish(this.st.released),
    }
  }

  /**
   * `worker` could not process `event` (its analysis overran its time limit or crashed): take
   * the event from it so another eligible worker tries (DESIGN.md "Poison and runaway
   * analyses"). Each constraint of the event bound to the worker is handed back whole, with
   * what the worker had not completed of it; a broadcast place is dropped (the event is then
   * done as far as that worker goes). Waiting workers are served at once.
   *
   * @throws StateError (`STATE_INVALID`) if no live worker has this name.
   */
  retry(worker: WorkerName, event: number): { retry: Retry; batch: AssignmentBatch } {
    this.st.compact()
    const batch = new BatchBuilder(this.st.released)
    const retry = retryEventFrom(this.st, worker, event, batch)
    this.pump(batch)
    return { retry, batch: batch.finish(this.st.released) }
  }

  /**
   * `worker` can take `credits` more events. Binds as much work as its balance allows, in event
   * order, and serves other waiting workers if that made work available to them. Credits not
   * used now are kept and spent as soon as work appears. One event costs one credit for the
   * worker, however many of its streams go there; a constraint is taken whole, so the last one
   * may overshoot and the excess is deducted from later credits.
   *
   * @throws StateError (`STATE_INVALID`) for an unknown worker or credits that are not a
   *   non-negative integer.
   */
  request(worker: WorkerName, credits: number): AssignmentBatch {
    if (!Number.isSafeInteger(credits) || credits < 0) {
      throw new StateError(`credits must be a non-negative integer, got ${credits}`)
    }
    const w = this.slot(worker)
    this.st.compact()
    const batch = new BatchBuilder(this.st.released)
    w.balance += credits
    w.triedAt = -1
    if (w.balance > 0) this.st.hungry.add(w)
    this.pump(batch)
    return batch.finish(this.st.released)
  }

  /**
   * `worker` finished these events (half-open ranges). Events it does not hold, that are not yet
   * released, or that it already reported are ignored and counted, never an error: messages of
   * removed workers and repeated reports are normal. May serve workers held back by the horizon.
   */
  complete(worker: WorkerName, events: readonly EventRange[]): CompletionResult {
    this.st.compact()
    const batch = new BatchBuilder(this.st.released)
    const w = this.st.live.get(worker)
    let accepted = 0
    let ignored = 0
    for (const [start, end] of events) {
      if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start <= end)) {
        throw new StateError(`invalid event range [${start}, ${end})`)
      }
      const top = Math.min(end, this.st.released)
      const removed = w !== undefined && top > start ? w.held.removeRange(start, top) : 0
      accepted += removed
      ignored += end - start - removed
    }
    if (accepted > 0) {
      this.st.version++
      this.pump(batch)
    }
    return {
      accepted,
      ignored,
      completedFrontier: this.st.completedFrontier(),
      batch: batch.finish(this.st.released),
    }
  }

  /**
   * The open plan grew: the scan has at least `eventCount` events and none of them is its end
   * event ({@link OpenUniformPlan}). Serves the workers that wait with credits, as
   * {@link request} does.
   *
   * @throws StateError (`STATE_INVALID`) when the plan is not an {@link OpenUniformPlan}, has
   *   ended, or knows more events already.
   */
  extendPlan(eventCount: number): AssignmentBatch {
    return this.changePlan((plan) => plan.extend(eventCount))
  }

  /**
   * The open plan ended: the scan has exactly `eventCount` events; with `allWrap` and two or
   * more, the last is the end event, which goes to every generic worker ({@link OpenUniformPlan}).
   * Serves the workers that wait with credits. Ending again at the same count does nothing.
   *
   * @throws StateError (`STATE_INVALID`) when the plan is not an {@link OpenUniformPlan}, ended
   *   at another count, knows more events already, or knows the would-be end event as an
   *   ordinary one.
   */
  endPlan(eventCount: number): AssignmentBatch {
    return this.changePlan((plan) => plan.end(eventCount))
  }

  /**
   * Routing of `stream` for released events `[from, to)` as runs ("events a..b go to w").
   *
   * @throws StateError (`STATE_INVALID`) for an unknown stream, unreleased events, or events
   *   compacted since they were released.
   */
  routes(stream: StreamName, from: number, to: number): StreamRoute[] {
    return readRoutes(this.st, stream, from, to)
  }

  /** Workers per stream of a released event (Dranspose's `get_event_workers`); undefined if not released. */
  assignmentOf(event: EventNumber | number): EventAssignment | undefined {
    return readAssignment(this.st, event)
  }

  /** Which workers reported `event` complete and which are still awaited. */
  completionOf(event: EventNumber | number): EventCompletion {
    return readCompletion(this.st, event)
  }

  /**
   * The worker constraint `constraint` of part instance `partInstance` is bound to; undefined
   * while unbound (not reached yet, waiting for an eligible worker, or handed back) or once the
   * instance has been compacted. After a hand-back, events completed earlier keep their worker.
   */
  bindingOf(partInstance: number, constraint: number): WorkerName | undefined {
    const inst = this.st.instances.get(partInstance)
    const c = inst?.part.constraintIndex.get(constraint)
    if (inst === undefined || c === undefined) return undefined
    const id = inst.binding[c]!
    return id >= 0 ? this.st.slots[id]?.name : undefined
  }

  /** Events `worker` holds and has not completed, ascending. */
  heldBy(worker: WorkerName): EventRange[] {
    return this.slot(worker).held.ranges()
  }

  /** Unspent credits of `worker` (negative after an overshooting constraint). */
  creditsOf(worker: WorkerName): number {
    return this.slot(worker).balance
  }

  /** Sizes of the internal state, to check that memory follows the window, not the scan. */
  stats(): AssignerStats {
    let heldEvents = 0
    let heldRanges = 0
    for (const w of this.st.live.values()) {
      heldEvents += w.held.size
      heldRanges += w.held.rangeCount
    }
    return {
      scanCursor: this.st.scanCursor,
      releasedFrontier: this.st.released,
      completedFrontier: this.st.completedFrontier(),
      liveWorkers: this.st.live.size,
      activeInstances: this.st.instances.size,
      broadcastRecords: this.st.broadcasts.size,
      pendingBindings: this.st.pending.length - this.st.pendingHead,
      handbacks: this.st.handbacks.length,
      heldEvents,
      heldRanges,
    }
  }

  /** Serve waiting workers, oldest first, until nothing changes any more. */
  private pump(batch: BatchBuilder): void {
    this.st.updateReleased()
    let progressed = true
    while (progressed) {
      progressed = false
      for (const w of this.st.hungry) {
        if (w.triedAt === this.st.version) continue
        const before = this.st.version
        serveWorker(this.st, w, batch)
        w.triedAt = this.st.version
        if (w.balance <= 0) this.st.hungry.delete(w)
        this.st.updateReleased()
        if (this.st.version !== before) progressed = true
      }
    }
  }

  /** Grow or end the open plan, then serve the workers that wait with credits. */
  private changePlan(change: (plan: OpenUniformPlan) => void): AssignmentBatch {
    const plan: AssignablePlan = this.plan
    if (!(plan instanceof OpenUniformPlan)) {
      throw new StateError('only an open plan grows or ends; a compiled plan has all its events')
    }
    this.st.compact()
    const batch = new BatchBuilder(this.st.released)
    change(plan)
    this.st.version++
    this.pump(batch)
    return batch.finish(this.st.released)
  }

  private slot(name: WorkerName): WorkerSlot {
    const w = this.st.live.get(name)
    if (w === undefined) throw new StateError(`worker '${name}' is not registered`)
    return w
  }
}
