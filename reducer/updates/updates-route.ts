import type { FastifyInstance } from 'fastify'
import type { UpdateHub } from './update-hub.js'

/** Most `/api/v1/updates` clients at once by default (`REDUCER_MAX_UPDATE_CLIENTS`). */
export const DEFAULT_MAX_UPDATE_CLIENTS = 64

/**
 * `GET /api/v1/updates`: a server-sent-events stream (`text/event-stream`) of the top-level
 * paths of `publish` that changed, one `update` event at most every throttle interval (see
 * {@link UpdateHub} and docs/viewer.md). At most `maxClients` streams are open at once; one
 * more is answered 503 (a viewer retries). Open streams end when the app closes.
 */
export function registerUpdatesRoute(
  app: FastifyInstance,
  hub: UpdateHub,
  maxClients = DEFAULT_MAX_UPDATE_CLIENTS,
): void {
  let open = 0
  app.addHook('preClose', async () => hub.close())
  app.get('/api/v1/updates', (_request, reply) => {
    if (open >= maxClients) {
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({
          error: 'Service Unavailable',
          code: 'TOO_MANY_STREAMS',
          message: `${open} update streams are open, the most allowed (REDUCER_MAX_UPDATE_CLIENTS)`,
        })
    }
    open += 1
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    })
    res.flushHeaders()
    const unsubscribe = hub.subscribe({
      write: (text) => res.write(text),
      onDrain: (listener) => res.once('drain', listener),
      end: () => res.end(),
    })
    res.once('close', () => {
      open -= 1
      unsubscribe()
    })
  })
}
