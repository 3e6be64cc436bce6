import type { Logger } from '../../src/internal.js'
import { type LogEntry, type LogStream, toError } from '../../src/internal.js'

/** Writes what operators must see (lost upstream, refused recording…) to both logs. */
export type ScanReport = (
  level: 'warn' | 'error',
  message: string,
  context: Record<string, string | number>,
) => Promise<void>

/**
 * A reporter for one scan: the process logger and the shared log stream (what
 * `/api/v1/logs` serves and the controller watches for `upstream-lost`). Never rejects: a log
 * stream that cannot be written is itself logged.
 */
export function createScanReporter(options: {
  readonly logs: LogStream
  readonly logger: Logger
  readonly ingesterName: string
  readonly scanId: string
}): ScanReport {
  const { logs, logger, ingesterName, scanId } = options
  return async (level, message, context) => {
    logger[level]({ scanId, ...context }, message)
    const entry: LogEntry = {
      time: Date.now(),
      level,
      role: 'ingester',
      name: ingesterName,
      message,
      context: { scanId, ...context },
    }
    try {
      await logs.append(entry)
    } catch (err) {
      logger.error({ scanId, err: toError(err).message }, 'cannot write to the log stream')
    }
  }
}
