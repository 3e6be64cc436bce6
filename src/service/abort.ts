import { setTimeout as delay } from 'node:timers/promises'

/**
 * Wait `ms` milliseconds, or less when `signal` aborts.
 * Resolves after the delay; rejects with the signal's reason when it aborts first.
 */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : undefined)
}

/**
 * True for the errors an aborted wait rejects with: a DOM `AbortError`, or the `reason` the
 * signal was aborted with.
 */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && err === signal.reason) return true
  return err instanceof Error && err.name === 'AbortError'
}

/**
 * A promise that resolves when `signal` aborts (at once if it already has). It never rejects.
 * The listener is removed when `until` (if given) aborts first, so waiting does not leak.
 */
export function aborted(signal: AbortSignal, until?: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done)
      until?.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
    until?.addEventListener('abort', done, { once: true })
  })
}

/** Coerce anything thrown into an `Error` (non-errors are wrapped, keeping the value as cause). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err), { cause: err })
}
