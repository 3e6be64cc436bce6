import type { FastifyInstance, FastifyReply } from 'fastify'
import { loadStaticFiles } from '../../src/index.js'
import { publishOutline } from './publish-outline.js'

const files = loadStaticFiles(import.meta.url, 'reducer/viewer/static')

/**
 * The live viewer (docs/viewer.md):
 * - `GET /viewer` — the page (plain HTML and ES modules, no build step);
 * - `GET /viewer/<file>` — its scripts and styles;
 * - `GET /api/v1/outline` — the tree of `publish` without data: groups, numeric arrays with
 *   their shape, scalars by kind ({@link publishOutline});
 * - `GET /` from a browser (accepts `text/html`, not JSON) — the page too. Other clients of
 *   `/` (h5pyd, silx: JSON) reach the HDF5-REST route registered there.
 */
export function registerViewer(app: FastifyInstance, read: () => unknown): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !isRoot(request.url) || !wantsHtml(request.headers.accept)) {
      return
    }
    sendViewerPage(reply)
    return reply
  })
  app.get('/viewer', (_request, reply) => sendViewerPage(reply))
  app.get('/viewer/', (_request, reply) => sendViewerPage(reply))
  app.get<{ Params: { file: string } }>('/viewer/:file', (request, reply) => {
    const file = files.get(request.params.file)
    if (file === undefined) {
      return reply
        .code(404)
        .send({ error: 'Not Found', message: `no viewer file '${request.params.file}'` })
    }
    return reply.type(file.type).header('cache-control', 'no-cache').send(file.body)
  })
  app.get('/api/v1/outline', () => publishOutline(read()))
}

function isRoot(url: string): boolean {
  const q = url.indexOf('?')
  return (q < 0 ? url : url.slice(0, q)) === '/'
}

/** A browser's page request: HTML accepted, JSON not asked for. */
function wantsHtml(accept: string | undefined): boolean {
  return accept?.includes('text/html') === true && !accept.includes('application/json')
}

/** Send the viewer's HTML page (also for `GET /` from a browser). */
export function sendViewerPage(reply: FastifyReply): FastifyReply {
  const page = files.get('index.html')!
  return reply.type(page.type).header('cache-control', 'no-cache').send(page.body)
}
