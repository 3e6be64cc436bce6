import { sleep } from './abort.js'

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Stops waiting and retrying: `retry` rejects with `signal.reason`. */
  readonly signal: AbortSignal
  /** The first pause, ms. Default 50. */
  readonly minMs?: number
  /** The longest pause, ms (pauses double up to it). Default 1000. */
  readonly maxMs?: number
  /** Attempts at most, the first included. Default: no limit. */
  readonly attempts?: number
  /** Give up once this long has passed since the first attempt, ms. Default: no limit. */
  readonly withinMs?: number
  /** Whether a failure is worth another attempt. Default: every failure is. */
  readonly retryable?: (err: unknown) => boolean
  /** Called before each pause (log it, count it). */
  readonly onRetry?: (err: unknown, attempt: number, pauseMs: number) => void
}

/**
 * The capped exponential back-off: the pause after failed attempt `attempt` (from 1), ms
 * (pure): `minMs`, then twice that each time, at most `maxMs`.
 */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 30))
}

/**
 * Run `task` until it resolves, pausing with capped exponential back-off between failed
 * attempts. Rejects with the last failure when it is not `retryable`, when `attempts` ran out
 * or `withinMs` has passed, and with `signal.reason` once `signal` aborts (no attempt starts
 * after that).
 */
export async function retry<T>(
  task: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { signal } = options
  const minMs = options.minMs ?? 50
  const maxMs = options.maxMs ?? 1000
  const attempts = options.attempts ?? Number.POSITIVE_INFINITY
  const deadline = performance.now() + (options.withinMs ?? Number.POSITIVE_INFINITY)
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw signal.reason
    try {
      return await task(attempt)
    } catch (err) {
      if (signal.aborted) throw signal.reason
      if (attempt >= attempts || performance.now() >= deadline) throw err
      if (options.retryable !== undefined && !options.retryable(err)) throw err
      const pause = backoffMs(attempt, minMs, maxMs)
      options.onRetry?.(err, attempt, pause)
      await sleep(pause, signal)
    }
  }
}
