/**
 * The logger a worker writes to: pino's `(fields, message)` form (a pino `Logger` fits).
 * The default discards everything.
 */
export interface WorkerLogger {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

const nothing = (): void => {}

/** A logger that discards everything. */
export const silentLogger: WorkerLogger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
}
