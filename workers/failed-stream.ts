import { type StreamData, streamOfError } from '../src/internal.js'

/**
 * The stream a failed event is counted under: the one the error names (a `ProtocolError`
 * from `parseStream(data, name)` / `parseEvent(event)`, possibly wrapped in the
 * `AnalysisError`), else the event's only stream when it has exactly one, else `undefined`
 * (the event is counted as failed, but under no stream).
 */
export function failedStream(
  err: unknown,
  streams: Readonly<Record<string, StreamData>>,
): string | undefined {
  const named = streamOfError(err)
  if (named !== undefined) return named
  const names = Object.keys(streams)
  return names.length === 1 ? names[0] : undefined
}
