import type { FastifyInstance } from 'fastify'
import type { UpdateHub } from './update-hub.js'

/**
 * `GET /api/v1/updates`: a server-sent-events stream (`text/event-stream`) of the top-level
 * paths of `publish` that changed, one `update` event at most every throttle interval (see
 * {@link UpdateHub} and docs/viewer.md). Open streams end when the app closes.
 */
export function registerUpdatesRoute(app: FastifyInstance, hub: UpdateHub): void {
  app.addHook('preClose', async () => hub.close())
  app.get('/api/v1/updates', (_request, reply) => {
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
    res.once('close', unsubscribe)
  })
}
