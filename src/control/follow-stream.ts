import { isAbortError } from '../service/abort.js'
import {
  type ControlPlane,
  STREAM_START,
  type StreamEntry,
  type StreamEntryId,
} from './control-plane.js'

/** Options of {@link followStream}. */
export interface FollowOptions {
  /** Ends the iteration (cleanly, without an error). */
  readonly signal: AbortSignal
  /** Start after this id; default: the stream's current end (only new entries). */
  readonly after?: StreamEntryId
  /** Batch size per read. */
  readonly count?: number
}

/** The id of the newest entry of a stream, or {@link STREAM_START} when it is empty. */
export async function lastStreamId(plane: ControlPlane, key: string): Promise<StreamEntryId> {
  const [last] = await plane.xrevrange(key, { count: 1 })
  return last?.id ?? STREAM_START
}

/**
 * Follow a stream: yields every entry after `after`, in order, waiting (blocking reads, no
 * polling) for new ones until `signal` aborts, then returns. Entries trimmed away before they
 * were read are skipped. Errors of the plane (closed, lost) are thrown.
 */
export async function* followStream(
  plane: ControlPlane,
  key: string,
  options: FollowOptions,
): AsyncGenerator<StreamEntry, void, undefined> {
  const { signal } = options
  try {
    let after = options.after ?? (await lastStreamId(plane, key))
    while (!signal.aborted) {
      const batch = await plane.xread(key, after, {
        signal,
        ...(options.count === undefined ? {} : { count: options.count }),
      })
      for (const entry of batch) {
        after = entry.id
        yield entry
      }
    }
  } catch (err) {
    if (isAbortError(err, signal)) return
    throw err
  }
}
