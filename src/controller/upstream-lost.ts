import type { LogEntry } from '../control/log-stream.js'

/** The `context.kind` of a log entry that reports a lost upstream. */
export const UPSTREAM_LOST = 'upstream-lost'

/**
 * Whether a log entry reports that the upstream of `scanId` is lost (pure): its
 * `context.kind` is `upstream-lost` and its `context.scanId`, when present, is the scan's. The
 * controller then stops the scan with that reason. The message is for people; nothing branches
 * on its text.
 */
export function isUpstreamLost(entry: LogEntry, scanId: string): boolean {
  const ctx = entry.context ?? {}
  return ctx.kind === UPSTREAM_LOST && (ctx.scanId === undefined || ctx.scanId === scanId)
}
