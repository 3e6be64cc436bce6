import type { LogEntry } from '../control/log-stream.js'

/**
 * Whether a log entry reports that the upstream of `scanId` is lost (pure): `context.event` is
 * `upstream-lost` (or the message starts with it), and `context.scanId`, when present, is the
 * scan's. The controller then stops the scan with that reason.
 */
export function isUpstreamLost(entry: LogEntry, scanId: string): boolean {
  const ctx = entry.context ?? {}
  const lost = ctx.event === 'upstream-lost' || entry.message.startsWith('upstream-lost')
  return lost && (ctx.scanId === undefined || ctx.scanId === scanId)
}
