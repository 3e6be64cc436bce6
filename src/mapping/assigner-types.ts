import type { StreamName, WorkerName } from '../protocol/ids.js'
import type { EventRange } from './event-range-set.js'

/** Tuning of an {@link Assigner}. */
export interface AssignerOptions {
  /**
   * A worker whose oldest unfinished event lies more than this many events behind the release
   * frontier is given nothing more until it catches up (its credits are kept). Counted in global
   * event numbers. Default 10,000; `Infinity` disables the check.
   */
  readonly horizonEvents?: number
  /**
   * How far (in events) the assignment scan may run ahead of the release frontier. Bounds the
   * memory held for events that wait on a worker (Dranspose's `future`). Must exceed the sum of
   * the workers' credits to keep every worker busy. Default 10,000.
   */
  readonly lookaheadEvents?: number
}

/** Events newly given to one worker by one call. */
export interface Grant {
  readonly worker: WorkerName
  /** The events, ascending, merged into ranges. */
  readonly events: readonly EventRange[]
  /** Number of events in `events`: the credits this grant consumed. */
  readonly eventCount: number
}

/**
 * What one call to the {@link Assigner} changed, for the controller to publish.
 * Every mutating call returns one, possibly empty.
 */
export interface AssignmentBatch {
  /** Work given to workers (not only the caller: waiting workers are served as work appears). */
  readonly grants: readonly Grant[]
  /** Events released by this call: `[from, to)`, empty when `from === to`. Read their routes now. */
  readonly released: EventRange
  /** Events released earlier whose routing changed (hand-back rebinding, dropped broadcasts). */
  readonly rerouted: readonly EventRange[]
}

/** What a removed (or dead) worker gave back. */
export interface WorkerRemoval {
  readonly worker: WorkerName
  /** Every event the worker held and had not completed. */
  readonly unfinished: readonly EventRange[]
  /** Events of constraints it was bound to that now wait for a new worker. */
  readonly rebinding: readonly EventRange[]
  /** Broadcast frames it will no longer receive; nobody replaces it there. */
  readonly dropped: readonly EventRange[]
  /** Work given out as a consequence (to waiting workers), and the newly released events. */
  readonly batch: AssignmentBatch
}

/** Outcome of {@link Assigner.complete}. */
export interface CompletionResult {
  /** (worker, event) completions newly recorded. */
  readonly accepted: number
  /** Events not held by the worker, not yet released, or already completed: ignored. */
  readonly ignored: number
  /** Events below this number are complete. */
  readonly completedFrontier: number
  readonly batch: AssignmentBatch
}

/**
 * Routing of consecutive events of one stream: events `[start, end)` all go to `workers`.
 * `workers === null`: the stream has no frame in these events (do not read);
 * `[]`: read the frames and discard them.
 */
export interface StreamRoute {
  readonly start: number
  readonly end: number
  readonly workers: readonly WorkerName[] | null
}

/** The workers of each stream of one released event (Dranspose's `WorkAssignment`). */
export interface EventAssignment {
  readonly eventNumber: number
  /** Only streams with a frame; `[]` means read and discard. Worker names sorted. */
  readonly assignments: ReadonlyMap<StreamName, readonly WorkerName[]>
}

/** Completion of one event. */
export interface EventCompletion {
  readonly state: 'unreleased' | 'released' | 'done'
  /** Workers that reported the event complete (empty once the event has been compacted). */
  readonly reported: readonly WorkerName[]
  /** Workers that still hold the event. */
  readonly waitingFor: readonly WorkerName[]
  /** A constraint of the event lost its worker and awaits a new one. */
  readonly unbound: boolean
  /** The event is complete and its details were dropped to bound memory. */
  readonly compacted: boolean
}

/** Sizes of the assigner's internal state; all bounded by the look-ahead window, not the scan. */
export interface AssignerStats {
  readonly scanCursor: number
  readonly releasedFrontier: number
  readonly completedFrontier: number
  readonly liveWorkers: number
  readonly activeInstances: number
  readonly broadcastRecords: number
  readonly pendingBindings: number
  readonly handbacks: number
  readonly heldEvents: number
  readonly heldRanges: number
}
