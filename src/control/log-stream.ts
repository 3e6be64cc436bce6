import { z } from 'zod'
import { ConfigError } from '../errors.js'
import { StreamField } from '../protocol/stream-field.js'
import type { ControlPlane, StreamEntryId } from './control-plane.js'
import { followStream } from './follow-stream.js'
import { parseJson } from './parse-json.js'
import { ProcessRole } from './process-info.js'

/** Log levels, pino's names. */
export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
export type LogLevel = z.infer<typeof LogLevel>

/** One structured log entry as stored in the log stream (JSON). */
export const LogEntry = z.object({
  /** Epoch milliseconds. */
  time: z.number(),
  level: LogLevel,
  role: ProcessRole,
  /** Process name. */
  name: z.string().min(1),
  message: z.string(),
  /** Structured fields (event number, stream, scan id…). */
  context: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .optional(),
})
export type LogEntry = z.infer<typeof LogEntry>

/** A log entry with its stream id (to follow on from). */
export interface LoggedEntry {
  readonly id: StreamEntryId
  readonly entry: LogEntry
}

/** Options of {@link createLogStream}. */
export interface LogStreamOptions {
  /** Entries kept (oldest trimmed, exactly); default 10 000. */
  readonly maxLen?: number
}

/**
 * The shared log of all processes (what `/api/v1/logs` and `/api/v1/log_stream` serve): append
 * structured entries, read the recent ones, follow new ones. Control traffic only: callers
 * batch or rate-limit per-event messages. Entries that fail the schema are skipped on read.
 */
export interface LogStream {
  /** Append one entry; resolves its id. @throws ConfigError `CONFIG_INVALID` for an invalid entry. */
  append(entry: LogEntry): Promise<StreamEntryId>
  /** The last `count` entries, oldest first. */
  recent(count: number): Promise<LoggedEntry[]>
  /** Entries after `after` (default: from now), as they come, until `signal` aborts. */
  follow(opts: {
    signal: AbortSignal
    after?: StreamEntryId
  }): AsyncGenerator<LoggedEntry, void, undefined>
}

/** Create the log stream facade over a plane (no I/O until used). */
export function createLogStream(plane: ControlPlane, options: LogStreamOptions = {}): LogStream {
  const key = plane.keys.logs()
  const maxLen = options.maxLen ?? 10_000
  const toLogged = (id: StreamEntryId, bytes: Uint8Array | undefined): LoggedEntry[] => {
    const parsed = LogEntry.safeParse(parseJson(bytes))
    return parsed.success ? [{ id, entry: parsed.data }] : []
  }
  return {
    append: async (entry) => {
      const parsed = LogEntry.safeParse(entry)
      if (!parsed.success) throw new ConfigError(`invalid log entry: ${parsed.error.message}`)
      return plane.xadd(key, { [StreamField.entry]: JSON.stringify(parsed.data) }, { maxLen })
    },
    recent: async (count) => {
      const entries = await plane.xrevrange(key, { count })
      return entries.reverse().flatMap((e) => toLogged(e.id, e.fields.get(StreamField.entry)))
    },
    follow: async function* (opts) {
      for await (const e of followStream(plane, key, opts))
        yield* toLogged(e.id, e.fields.get(StreamField.entry))
    },
  }
}
