import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { LogEntry, LogLevel } from '../control/log-stream.js'
import type { Controller } from './controller.js'
import { errorBody } from './http-errors.js'

const LEVELS: Record<LogLevel, { no: number; name: string }> = {
  trace: { no: 5, name: 'DEBUG' },
  debug: { no: 10, name: 'DEBUG' },
  info: { no: 20, name: 'INFO' },
  warn: { no: 30, name: 'WARNING' },
  error: { no: 40, name: 'ERROR' },
  fatal: { no: 50, name: 'CRITICAL' },
}
const BY_NAME: Record<string, number> = {
  TRACE: 5,
  DEBUG: 10,
  INFO: 20,
  WARN: 30,
  WARNING: 30,
  ERROR: 40,
  FATAL: 50,
  CRITICAL: 50,
}

/** The lowest level number a `level` query admits (Python names or numbers; default INFO). */
export function minLevel(level: string | undefined): number {
  if (level === undefined) return 20
  if (/^\d+$/.test(level)) return Number(level)
  return BY_NAME[level.toUpperCase()] ?? 20
}

/**
 * A log entry in the form Dranspose's clients read (`msg`, `name`, `created` in seconds,
 * `levelname`) plus beamloom's own fields.
 */
export function toDransposeLog(entry: LogEntry): Record<string, unknown> {
  return {
    msg: entry.message,
    name: `${entry.role}.${entry.name}`,
    created: entry.time / 1000,
    levelname: LEVELS[entry.level].name,
    time: entry.time,
    level: entry.level,
    role: entry.role,
    process: entry.name,
    message: entry.message,
    ...(entry.context === undefined ? {} : { context: entry.context }),
  }
}

/** A `level` query: a Python level name (any case) or a number 0–100. */
const LevelQuery = z
  .string()
  .max(20)
  .refine(
    (v) => (/^\d{1,3}$/.test(v) ? Number(v) <= 100 : BY_NAME[v.toUpperCase()] !== undefined),
    {
      message: 'a level is DEBUG, INFO, WARNING, ERROR, CRITICAL or a number 0-100',
    },
  )

const LogsQuery = z.object({
  level: LevelQuery.optional().describe(
    'lowest level (DEBUG, INFO, WARNING, ERROR, CRITICAL or a number); default INFO',
  ),
  count: z.coerce
    .number()
    .int()
    .positive()
    .max(10_000)
    .optional()
    .describe('at most this many of the newest entries; default 1000'),
})

/** Most `/api/v1/log_stream` clients at once, by default (`CONTROLLER_MAX_LOG_STREAMS`). */
export const DEFAULT_MAX_LOG_STREAMS = 32

/**
 * Log routes: `GET /api/v1/logs` (recent entries at or above a level; an unknown level → 400)
 * and `GET /api/v1/log_stream` (a chunked stream of JSON lines, one per new entry, like
 * Dranspose's). At most `maxStreams` streams are open at once (503 beyond). Open streams end
 * when the app closes.
 */
export function logRoutes(
  app: FastifyInstance,
  controller: Controller,
  maxStreams = DEFAULT_MAX_LOG_STREAMS,
): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  let open = 0
  const closing = new AbortController()
  app.addHook('preClose', async () => closing.abort())

  r.get(
    '/api/v1/logs',
    { schema: { tags: ['logs'], summary: 'Recent log entries', querystring: LogsQuery } },
    async (request) => {
      const min = minLevel(request.query.level)
      const recent = await controller.logs.recent(request.query.count ?? 1_000)
      return recent
        .filter(({ entry }) => LEVELS[entry.level].no >= min)
        .map(({ entry }) => toDransposeLog(entry))
    },
  )

  r.get(
    '/api/v1/log_stream',
    { schema: { tags: ['logs'], summary: 'New log entries as they come (JSON lines)' } },
    async (request, reply) => {
      if (open >= maxStreams) {
        return reply
          .code(503)
          .send(
            errorBody(
              503,
              'TOO_MANY_STREAMS',
              `${open} log streams are open, the most allowed (CONTROLLER_MAX_LOG_STREAMS)`,
            ),
          )
      }
      open += 1
      const stop = new AbortController()
      const abort = (): void => stop.abort()
      reply.raw.once('close', () => {
        open -= 1
        abort()
      })
      closing.signal.addEventListener('abort', abort, { once: true })
      const lines = async function* (): AsyncGenerator<string> {
        try {
          for await (const { entry } of controller.logs.follow({ signal: stop.signal })) {
            yield `${JSON.stringify(toDransposeLog(entry))}\n`
          }
        } finally {
          closing.signal.removeEventListener('abort', abort)
        }
      }
      // Headers go out at once (clients wait for them before the first entry exists).
      reply.hijack()
      reply.raw.writeHead(200, {
        'content-type': 'application/x-ndjson',
        'cache-control': 'no-cache',
      })
      reply.raw.flushHeaders()
      pipeline(Readable.from(lines()), reply.raw).catch((err: unknown) => {
        // A client that went away mid-write is normal for a stream; anything else is logged.
        if (!stop.signal.aborted) request.log.warn({ err }, 'log stream ended with an error')
      })
    },
  )
}
