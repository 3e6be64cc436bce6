import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { bearerGuard } from '../../src/http.js'
import { formatIssues, isBeamloomError } from '../../src/internal.js'
import type { H5Files } from './h5-files.js'

const H5Request = z.strictObject({ name: z.string().min(1).optional() }).optional()

/**
 * `POST /api/v1/h5` (body optional: `{"name": "file-name"}`): write `publish` to an HDF5 file in
 * the configured directory now; answers `{path, groups, datasets, attributes, skipped}`. With a
 * `token`, the request must carry `Authorization: Bearer <token>` (401 otherwise). 409 when no
 * directory is configured, 400 for a bad name (one that would leave the directory), 500 when
 * writing fails.
 */
export function registerH5FileRoute(
  app: FastifyInstance,
  files: H5Files | undefined,
  token: string | undefined,
): void {
  app.post(
    '/api/v1/h5',
    token === undefined ? {} : { onRequest: bearerGuard(token) },
    async (req, reply) => {
      if (files?.dir === undefined) {
        return reply.code(409).send({
          error: 'Conflict',
          message: 'no HDF5 directory configured: set REDUCER_H5_DIR',
        })
      }
      const body = H5Request.safeParse(req.body ?? undefined)
      if (!body.success) {
        const message = formatIssues(body.error, { root: 'body' })
        return reply.code(400).send({ error: 'Bad Request', message })
      }
      try {
        return reply.send(await files.write(body.data?.name))
      } catch (err) {
        const status = isBeamloomError(err, 'CONFIG_INVALID') ? 400 : 500
        return reply.code(status).send({
          error: status === 400 ? 'Bad Request' : 'Internal Server Error',
          message: err instanceof Error ? err.message : String(err),
        })
      }
    },
  )
}
