/**
 * The logger every role writes to: pino's `(fields, message)` form, so a pino `Logger` fits as
 * is and tests pass a recording fake.
 */
export interface Logger {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

const nothing = (): void => {}

/** A logger that discards everything. */
export const silentLogger: Logger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
}
