/** The lifecycle states of a {@link Service}, in the only order they can occur. */
export type ServiceState = 'idle' | 'starting' | 'running' | 'closing' | 'closed'

/** Options of {@link Service.close}. */
export interface CloseOptions {
  /**
   * Skip draining: do not wait for background loops to finish, close resources at once.
   * A forced close may also escalate a graceful close that is already under way.
   */
  readonly force?: boolean
}

/**
 * Everything long-lived in beamloom: one owner calls `start()` once and `close()` when done.
 *
 * - `start()` resolves when the service is running; on failure it releases what it opened and
 *   rejects (a `close()` during start makes it reject with `STATE_INVALID`).
 * - `close()` is idempotent and never rejects; the reason the service ended is in `closed`.
 * - `closed` settles once, after every resource is released, with the error that ended the
 *   service (a failed start, a failed background loop, lost infrastructure) or `undefined`
 *   after a clean close. It never rejects.
 */
export interface Service {
  readonly state: ServiceState
  start(): Promise<void>
  close(opts?: CloseOptions): Promise<void>
  readonly closed: Promise<Error | undefined>
}
