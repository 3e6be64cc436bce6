import type { Logger } from 'pino'
import type { ControlPlane } from '../control/control-plane.js'
import type { ControllerConfig } from './controller-config.js'
import type { ScanRunStats } from './scan-run.js'

/** What {@link createController} needs besides its config. */
export interface ControllerDeps {
  readonly plane: ControlPlane
  readonly logger?: Logger
  /** Reported in `/api/v1/config`. */
  readonly version?: string
}

/** `GET /api/v1/progress` (Dranspose's shape). */
export interface Progress {
  /** Events below this are released (assigned). */
  readonly last_assigned: number
  /** Events below this are complete (reduced), counted in order. */
  readonly completed_events: number
  readonly total_events: number
  /** The scan has ended: finished, or stopped. */
  readonly finished: boolean
}

/** Cumulative counters for metrics. */
export interface ControllerStats extends ScanRunStats {
  readonly scansStarted: number
  readonly activeWorkers: number
}

/** The subset of the controller's config it uses at run time. */
export type ControllerOptions = Pick<
  ControllerConfig,
  'name' | 'lookaheadEvents' | 'horizonEvents' | 'scanRetentionMs'
> & {
  /** Its HTTP API, published in the registry (a function: read when it registers). */
  readonly url?: string | (() => string | undefined) | undefined
  readonly heartbeatMs?: number
}

/** Counters of no scan at all. */
export const EMPTY_RUN: ScanRunStats = {
  entries: 0,
  eventsAssigned: 0,
  completionsAccepted: 0,
  failedEvents: 0,
  creditRequests: 0,
}

/** The sum of two sets of run counters. */
export function addStats(a: ScanRunStats, b: ScanRunStats): ScanRunStats {
  return {
    entries: a.entries + b.entries,
    eventsAssigned: a.eventsAssigned + b.eventsAssigned,
    completionsAccepted: a.completionsAccepted + b.completionsAccepted,
    failedEvents: a.failedEvents + b.failedEvents,
    creditRequests: a.creditRequests + b.creditRequests,
  }
}
