import type { WorkerName } from '../protocol/ids.js'
import type { CompiledPart } from './compile-part.js'
import type { EventRangeSet } from './event-range-set.js'

/** Binding state of a constraint nobody has looked at yet. @internal */
export const UNSEEN = -1
/** Binding state of a constraint waiting for an eligible worker. @internal */
export const PENDING = -2

/** A real worker as the assigner sees it; kept after removal so history stays readable. @internal */
export interface WorkerSlot {
  readonly id: number
  readonly name: WorkerName
  /** Per tag set of the plan: 1 when this worker qualifies. */
  readonly eligible: Uint8Array
  /** Events assigned to this worker and not yet completed by it. */
  readonly held: EventRangeSet
  live: boolean
  /** Credits not yet consumed; may go negative when a constraint overshoots. */
  balance: number
  /** State version at which serving this worker last found nothing to do. */
  triedAt: number
  /** Broadcast records before this event were already joined or never awaited this worker. */
  broadcastCursor: number
  /** Pending bindings first needed before this event were already looked at by this worker. */
  pendingCursor: number
  /** Events granted during the current call (scratch). */
  grant: EventRangeSet | null
}

/** Assignment state of one part instance while it is in the window. @internal */
export interface InstanceState {
  readonly index: number
  readonly start: number
  readonly end: number
  readonly part: CompiledPart
  /** Worker id per dense constraint, or UNSEEN / PENDING. */
  readonly binding: Int32Array
  /** After a hand-back: constraint → event → worker that completed it before the rebinding. */
  overrides: Map<number, Map<number, number>> | null
}

/** Who joined, and who is still awaited for, the broadcast virtual workers of one event. @internal */
export interface BroadcastRecord {
  readonly event: number
  readonly part: CompiledPart
  readonly local: number
  readonly waiting: number[]
  readonly joined: number[]
}

/**
 * A constraint that needs a worker: first met by the scan with no eligible worker at hand, or
 * handed back by a removed worker. Binding it gives `offset + events[from..to)` to the binder.
 * @internal
 */
export interface PendingBinding {
  readonly instance: InstanceState
  readonly constraint: number
  readonly tagSet: number
  readonly events: ArrayLike<number>
  readonly from: number
  readonly to: number
  readonly offset: number
  /** First event, i.e. `offset + events[from]`. */
  readonly first: number
  done: boolean
  /** Hand-backs: index of the first event not yet released (moves as the frontier moves). */
  releaseCursor: number
  /**
   * Hand-backs of an event a worker could not process: that worker's id. Another eligible live
   * worker takes it first; the worker itself only when nobody else could.
   */
  avoid?: number
}
