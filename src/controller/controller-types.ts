import type { Logger } from 'pino'
import type { ControlPlane } from '../control/control-plane.js'
import type { ControllerConfig } from './controller-config.js'
import type { ScanLimits } from './scan-limits.js'
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
  /** The scan has ended: finished, stopped or failed (see `status`). */
  readonly finished: boolean
  /** `running`, `finished`, `stopped` or `failed` (`idle` before the first scan). */
  readonly status?: string
  /** Why the scan ended early (`stopped`, `failed`). */
  readonly reason?: string
  /** Events whose analysis failed (complete, with the reason in the log). */
  readonly failed_events?: number
  /**
   * Of those, how many failed on each stream (a malformed or missing frame of it); events that
   * failed in the analysis itself are counted in `failed_events` only.
   */
  readonly failed_streams?: Readonly<Record<string, number>>
  /** When the scan makes no progress: what it waits for (see `CONTROLLER_STALL_WARN_MS`). */
  readonly waiting_for?: readonly string[]
  /** Seconds since the last progress, when stalled. */
  readonly stalled_for_s?: number
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
> &
  Partial<Pick<ControllerConfig, 'stallWarnMs' | 'stallTimeoutMs' | 'eventAttempts'>> & {
    /** Its HTTP API, published in the registry (a function: read when it registers). */
    readonly url?: string | (() => string | undefined) | undefined
    readonly heartbeatMs?: number
    /** Largest scan accepted; default {@link DEFAULT_SCAN_LIMITS}. */
    readonly limits?: ScanLimits
    /** Store values of parameters no live process describes; default false. */
    readonly allowUndescribedParameters?: boolean
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
