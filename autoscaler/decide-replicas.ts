/** How the autoscaler chooses a worker count; see {@link decideReplicas}. */
export interface ScalePolicy {
  /** Never fewer replicas than this. */
  readonly minReplicas: number
  /** Never more replicas than this. */
  readonly maxReplicas: number
  /** Scale up while the remaining events would take longer than this at the current rate, s. */
  readonly targetDrainSeconds: number
  /**
   * A second scale-up within one scan needs the rate to have grown by this fraction since the
   * previous one; otherwise workers are not the bottleneck (detector, network, reducer) and more
   * of them would only idle.
   */
  readonly minGain: number
  /** Scale down once there has been no work for this long, ms. */
  readonly idleMs: number
  /** At least this long between two changes, ms. */
  readonly coolDownMs: number
  /** At most this many replicas added by one change. */
  readonly maxStepUp: number
  /** At most this many replicas removed by one change. */
  readonly maxStepDown: number
}

/** What the controller said at one poll (see `readControllerLoad`). */
export interface LoadObservation {
  /** When it was read, ms since the epoch. */
  readonly atMs: number
  /** The current (or last) scan, `null` before the first. */
  readonly scanId: string | null
  /** A scan is running. */
  readonly running: boolean
  /** Events of the running scan not yet complete (reduced); 0 when no scan runs. */
  readonly backlogEvents: number
  /** Events completed per second by every worker over the recent window. */
  readonly rateEventsPerSecond: number
}

/** What the decision remembers between polls (start with {@link INITIAL_SCALER_MEMORY}). */
export interface ScalerMemory {
  /** When the replica count was last changed, ms since the epoch. */
  readonly lastChangeMs: number | undefined
  /** Since when there has been no work, ms since the epoch; undefined while busy. */
  readonly idleSinceMs: number | undefined
  /** The scan and rate of the last scale-up, for the gain check. */
  readonly lastUp: { readonly scanId: string | null; readonly rate: number } | undefined
}

/** The memory before the first poll. */
export const INITIAL_SCALER_MEMORY: ScalerMemory = {
  lastChangeMs: undefined,
  idleSinceMs: undefined,
  lastUp: undefined,
}

/** Why a decision was taken (also a metric label). */
export type ScaleReason =
  | 'below-minimum'
  | 'above-maximum'
  | 'cool-down'
  | 'backlog'
  | 'no-gain'
  | 'idle'
  | 'steady'

/** The outcome of one decision. */
export interface ScaleDecision {
  /** The replica count wanted; equal to the current one when nothing should change. */
  readonly replicas: number
  readonly reason: ScaleReason
  /** The memory to keep if the change is applied (or nothing was to change). */
  readonly memory: ScalerMemory
}

/**
 * Decide how many workers the Deployment should have (pure).
 *
 * - Outside `[minReplicas, maxReplicas]` the count is brought back at once (even in cool-down).
 * - Within `coolDownMs` of the last change nothing changes.
 * - Busy (a scan runs with events left) and completing events: when the backlog would take
 *   longer than `targetDrainSeconds` at the current rate, the count grows in proportion
 *   (`ceil(current × eta / target)`), by at most `maxStepUp`, up to `maxReplicas`; in the same
 *   scan only if the last scale-up raised the rate by `minGain` (else `no-gain`).
 * - Idle (no scan running, or nothing left) for `idleMs`: the count shrinks by `maxStepDown`,
 *   not below `minReplicas`. Scaling down only when idle means a removed worker holds no
 *   events; if one does, its events are handed back (ADR 0004) and no event is lost.
 */
export function decideReplicas(
  policy: ScalePolicy,
  current: number,
  load: LoadObservation,
  memory: ScalerMemory,
): ScaleDecision {
  const busy = load.running && load.backlogEvents > 0
  const idleSinceMs = busy ? undefined : (memory.idleSinceMs ?? load.atMs)
  const kept: ScalerMemory = { ...memory, idleSinceMs }
  const change = (replicas: number, reason: ScaleReason, extra: Partial<ScalerMemory> = {}) => ({
    replicas,
    reason,
    memory: { ...kept, lastChangeMs: load.atMs, ...extra },
  })

  if (current < policy.minReplicas) return change(policy.minReplicas, 'below-minimum')
  if (current > policy.maxReplicas) return change(policy.maxReplicas, 'above-maximum')
  const hold = (reason: ScaleReason): ScaleDecision => ({ replicas: current, reason, memory: kept })
  if (memory.lastChangeMs !== undefined && load.atMs - memory.lastChangeMs < policy.coolDownMs) {
    return hold('cool-down')
  }

  if (busy) {
    if (current === 0) return change(1, 'backlog', { lastUp: { scanId: load.scanId, rate: 0 } })
    const rate = load.rateEventsPerSecond
    // No completions: the scan waits for its detector, not for workers.
    if (rate <= 0) return hold('steady')
    const etaSeconds = load.backlogEvents / rate
    if (etaSeconds <= policy.targetDrainSeconds || current >= policy.maxReplicas) {
      return hold('steady')
    }
    const last = memory.lastUp
    if (
      last !== undefined &&
      last.scanId === load.scanId &&
      rate < last.rate * (1 + policy.minGain)
    ) {
      return hold('no-gain')
    }
    const wanted = Math.ceil((current * etaSeconds) / policy.targetDrainSeconds)
    const replicas = Math.min(policy.maxReplicas, current + policy.maxStepUp, wanted)
    return change(replicas, 'backlog', { lastUp: { scanId: load.scanId, rate } })
  }

  if (
    idleSinceMs !== undefined &&
    load.atMs - idleSinceMs >= policy.idleMs &&
    current > policy.minReplicas
  ) {
    const replicas = Math.max(policy.minReplicas, current - policy.maxStepDown)
    return change(replicas, 'idle', { lastUp: undefined })
  }
  return hold('steady')
}
