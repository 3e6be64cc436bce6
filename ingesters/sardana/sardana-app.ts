import Fastify, { type FastifyInstance } from 'fastify'
import { bearerGuard, errorBody, installErrorHandler } from '../../src/http.js'
import {
  encodeSardanaBody,
  ProtocolError,
  parseSardanaFrames,
  SARDANA_PATHS,
} from '../../src/internal.js'
import type { SardanaQueue } from './sardana-queue.js'

/** Options of {@link buildSardanaApp}. */
export interface SardanaAppOptions {
  /** Bearer token every POST must carry; unset: no check. */
  readonly token?: string | undefined
  /** Largest body, bytes; default 16 MiB (records may carry 1-D counters). */
  readonly bodyLimitBytes?: number
}

/**
 * The HTTP surface Sardana's recorder posts to, as a fastify instance not yet listening:
 * `POST /v1/data_desc`, `/v1/record_data`, `/v1/record_end` (each body, with its `type` set as
 * Dranspose writes it, becomes one frame of the queue) and `/v1/custom_data` (accepted and
 * ignored, as in Dranspose). Answers 200 `{accepted, series, queued}`; 400 with a message for a
 * body that is not JSON, not an object, of another `type` than its path, missing a required
 * field, or out of order (a record with no open scan); 401 without the token when one is
 * configured; 503 when the queue is full.
 */
export function buildSardanaApp(
  queue: SardanaQueue,
  options: SardanaAppOptions = {},
): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024 })
  installErrorHandler(app)
  if (options.token !== undefined) app.addHook('onRequest', bearerGuard(options.token))
  // An empty body is `{}` (what `record_end` carries); anything else must be JSON.
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    const body = String(text)
    if (body.trim() === '') return done(null, {})
    try {
      done(null, JSON.parse(body))
    } catch (err) {
      done(new ProtocolError(`the body is not JSON: ${(err as Error).message}`), undefined)
    }
  })
  for (const [path, type] of Object.entries(SARDANA_PATHS)) {
    app.post(path, async (request, reply) => {
      const body: unknown = request.body ?? {}
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new ProtocolError(`${path}: the body is not a JSON object`)
      }
      const given = (body as { type?: unknown }).type
      if (given !== undefined && given !== type) {
        throw new ProtocolError(`${path}: body of type '${String(given)}' (expected ${type})`)
      }
      const frame = encodeSardanaBody(type, body as Record<string, unknown>)[0] as Uint8Array
      try {
        parseSardanaFrames([frame])
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        throw new ProtocolError(`${path}: ${err.message}`, { cause: err })
      }
      const refusal = queue.push(type, frame)
      if (refusal !== undefined) {
        return reply
          .code(refusal.status)
          .send(errorBody(refusal.status, refusal.code, refusal.message))
      }
      return { accepted: type, series: queue.series, queued: queue.length }
    })
  }
  app.post('/v1/custom_data', async () => ({ accepted: null }))
  return app
}
