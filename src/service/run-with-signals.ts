import { toError } from './abort.js'
import type { Service } from './service.js'

/** Where signals come from: `process` in a main, an `EventEmitter` in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown
  off(signal: NodeJS.Signals, listener: () => void): unknown
}

/** What {@link runWithSignals} reports as it goes (a logger adapter in a main). */
export type RunEvent =
  | { readonly kind: 'started' }
  | { readonly kind: 'draining'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'forcing'; readonly reason: 'second-signal' | 'drain-timeout' }
  | { readonly kind: 'closed'; readonly error: Error | undefined }

/** Options of {@link runWithSignals}. */
export interface RunWithSignalsOptions {
  /** How long a graceful close (drain) may take before it is forced, in milliseconds. */
  readonly drainTimeoutMs: number
  /** Signals that close the service; default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[]
  /** Default `process`. */
  readonly source?: SignalSource
  /** Called on each step; default: nothing. */
  readonly onEvent?: (event: RunEvent) => void
}

/**
 * Run a service as a process main: start it, and on the first SIGTERM/SIGINT close it
 * gracefully (drain); a second signal, or `drainTimeoutMs` after the first, forces the close.
 *
 * Resolves with the exit code once the service is closed (for any reason, including a failure
 * of its own): 0 after a clean close, 1 when start failed or `closed` carried an error. It never
 * rejects and never calls `process.exit`; set `process.exitCode` from the result.
 */
export async function runWithSignals(
  service: Service,
  options: RunWithSignalsOptions,
): Promise<number> {
  const source = options.source ?? process
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  const report = options.onEvent ?? (() => {})
  let drainTimer: NodeJS.Timeout | undefined
  let received = 0

  const force = (reason: 'second-signal' | 'drain-timeout'): void => {
    report({ kind: 'forcing', reason })
    void service.close({ force: true })
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1
    if (received > 1) {
      force('second-signal')
      return
    }
    report({ kind: 'draining', signal })
    drainTimer = setTimeout(() => force('drain-timeout'), options.drainTimeoutMs)
    void service.close()
  }
  const listeners = signals.map((signal) => ({ signal, listener: () => onSignal(signal) }))
  for (const { signal, listener } of listeners) source.on(signal, listener)

  let startError: Error | undefined
  try {
    await service.start()
    report({ kind: 'started' })
  } catch (err) {
    startError = toError(err)
  }
  // A start cut short by our own signal is a clean exit, not a failure.
  const error = (await service.closed) ?? (received > 0 ? undefined : startError)
  clearTimeout(drainTimer)
  for (const { signal, listener } of listeners) source.off(signal, listener)
  report({ kind: 'closed', error })
  return error === undefined ? 0 : 1
}
