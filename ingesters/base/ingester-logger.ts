/**
 * The logger an ingester writes to: pino's method shape (`logger.info({ scanId }, 'message')`),
 * so a pino logger fits as is and tests can pass a recording fake.
 */
export interface IngesterLogger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

/** A logger that drops everything (the default when none is given). */
export const silentLogger: IngesterLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}
