import type { FastifyInstance, FastifyReply } from 'fastify'
import { loadStaticFiles } from '../../service/static-files.js'

const files = loadStaticFiles(import.meta.url, 'src/controller/status-page/static')

/**
 * The controller's status page (docs/viewer.md): `GET /` and `GET /status` serve it,
 * `GET /status/<file>` its script and styles. The page reads the JSON API (progress, status,
 * config, load, parameters, logs) once a second; it needs nothing else from the server.
 * Dranspose served its own frontend at `/` too.
 */
export function statusPageRoutes(app: FastifyInstance): void {
  const page = (_request: unknown, reply: FastifyReply) => {
    const index = files.get('index.html')!
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body)
  }
  app.get('/', { schema: { hide: true } }, page)
  app.get('/status', { schema: { hide: true } }, page)
  app.get<{ Params: { file: string } }>(
    '/status/:file',
    { schema: { hide: true } },
    (request, reply) => {
      const file = files.get(request.params.file)
      if (file === undefined || request.params.file === 'index.html') {
        return reply.code(404).send({
          statusCode: 404,
          error: 'Not Found',
          message: `no status page file '${request.params.file}'`,
        })
      }
      return reply.type(file.type).header('cache-control', 'no-cache').send(file.body)
    },
  )
}
