import { createRequire } from 'node:module'
import type { DestinationStream, Logger } from 'pino'
import type { LogConfig } from '../config/log-env.js'

// pino and pino-pretty (CommonJS) are required when a logger is made, not when this module
// loads: `beamloom replay`, which imports the analysis runtime but makes no logger, starts
// without them (issue 14).
const require = createRequire(import.meta.url)

/** Options of {@link createProcessLogger}. */
export interface ProcessLoggerOptions {
  /** The `name` of every record (`controller`, `worker w1`, …). */
  readonly name?: string
  /** Level and format, from `parseLogEnv`. */
  readonly log: Pick<LogConfig, 'level' | 'format'>
  /**
   * Where lines go; default standard error. `format: 'auto'` means pretty when this is a
   * terminal (`isTTY`), JSON otherwise.
   */
  readonly destination?: NodeJS.WritableStream & { readonly isTTY?: boolean }
  /** Colour pretty lines; default: when the destination is a terminal. */
  readonly colour?: boolean
}

/** Whether {@link createProcessLogger} writes pretty lines for these options. */
export function isPrettyLog(options: ProcessLoggerOptions): boolean {
  const tty = (options.destination ?? process.stderr).isTTY === true
  return options.log.format === 'pretty' || (options.log.format === 'auto' && tty)
}

/**
 * The logger of a command, the one way every role makes it: pino at the configured level,
 * writing synchronously (nothing is lost when the process exits) to standard error, as one
 * JSON object per line for collectors, or as human-readable lines
 * (`[12:00:01.234] WARN (controller): message key=value`) on a terminal or when asked.
 */
export function createProcessLogger(options: ProcessLoggerOptions): Logger {
  const pino = require('pino') as typeof import('pino')
  const destination = options.destination ?? process.stderr
  const base = { level: options.log.level, ...(options.name ? { name: options.name } : {}) }
  if (!isPrettyLog(options)) {
    const stream: DestinationStream =
      destination === process.stderr ? pino.destination({ fd: 2, sync: true }) : destination
    return pino(base, stream)
  }
  const pinoPretty = require('pino-pretty') as typeof import('pino-pretty')
  const pretty = pinoPretty({
    colorize: options.colour ?? destination.isTTY === true,
    destination: destination === process.stderr ? 2 : destination,
    sync: true,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
  })
  return pino(base, pretty)
}
