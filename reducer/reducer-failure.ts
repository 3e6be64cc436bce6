import type { FailureLog } from '../src/internal.js'

/** Which call into the user's reducer failed. */
export type ReducerCall =
  | 'constructor'
  | 'processResult'
  | 'timer'
  | 'finish'
  | 'close'
  | 'snapshotState'
  | 'restoreState'

/** Where a failure happened. */
export interface FailureContext {
  readonly scanId: string | undefined
  readonly module: string
  readonly eventNumber?: number | undefined
}

/** Report a failed call into the user's reducer on `log`, with the call, module, scan and event. */
export function reportFailure(
  log: FailureLog,
  call: ReducerCall,
  err: unknown,
  where: FailureContext,
): void {
  const reason = err instanceof Error ? err.message : String(err)
  log.report(`${call} failed: ${reason}`, {
    call,
    module: where.module,
    scan: where.scanId ?? null,
    event: where.eventNumber ?? null,
  })
}
