import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { loadStaticFiles, type StaticFile } from '../../src/internal.js'
import { publishOutline } from './publish-outline.js'

const files = loadStaticFiles(import.meta.url, 'reducer/viewer/static')

/**
 * The libraries the page imports, served from their npm packages as published: cbor-x's
 * browser decoder (the same library the reducer encodes with) and uPlot with its styles.
 */
const vendor: ReadonlyMap<string, StaticFile> = (() => {
  const require = createRequire(import.meta.url)
  const read = (pkg: string, file: string, type: string): StaticFile => ({
    body: readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file)),
    type,
  })
  const js = 'text/javascript; charset=utf-8'
  return new Map([
    ['cbor-x.js', read('cbor-x', 'decode.js', js)],
    ['uplot.js', read('uplot', 'dist/uPlot.esm.js', js)],
    ['uplot.css', read('uplot', 'dist/uPlot.min.css', 'text/css; charset=utf-8')],
  ])
})()

/**
 * The live viewer (docs/viewer.md):
 * - `GET /viewer` — the page (plain HTML and ES modules, no build step);
 * - `GET /viewer/<file>` — its scripts and styles; `GET /viewer/vendor/<file>` — the
 *   libraries it uses (cbor-x's decoder, uPlot), from their npm packages;
 * - `GET /api/v1/outline` — the tree of `publish` without data: groups, numeric arrays with
 *   their shape, scalars by kind, attributes, the default NXdata ({@link publishOutline});
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
  app.get<{ Params: { file: string } }>('/viewer/vendor/:file', (request, reply) => {
    const file = vendor.get(request.params.file)
    if (file === undefined) {
      return reply
        .code(404)
        .send({ error: 'Not Found', message: `no viewer library '${request.params.file}'` })
    }
    return reply.type(file.type).header('cache-control', 'max-age=3600').send(file.body)
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
