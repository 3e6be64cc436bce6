import pino, { type Logger as PinoLogger } from 'pino'

/** Makes the logger of a service that was given none, by the service's name. */
export type LoggerFactory = (name: string) => PinoLogger

let factory: LoggerFactory | undefined

/**
 * Set (or with `undefined` clear) where services that were given no logger write: an embedder
 * routes them to its own log, a test suite makes every error they log fail the test.
 */
export function setDefaultLoggerFactory(make: LoggerFactory | undefined): void {
  factory = make
}

/**
 * The logger of a service that was given none: the factory's when one is set, else
 * `fallback()` (each role's own default: silent for workers and ingesters, pino at info for
 * the controller and the reducer).
 */
export function defaultLogger(name: string, fallback: () => PinoLogger): PinoLogger {
  return factory?.(name) ?? fallback()
}

/** A pino logger that writes nothing (the default of workers and ingesters). */
export function silentPino(): PinoLogger {
  return pino({ level: 'silent' })
}
