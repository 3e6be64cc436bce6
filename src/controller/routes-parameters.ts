import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Controller } from './controller.js'
import { errorBody } from './http-errors.js'
import { descriptionToJson } from './parameter-api.js'
import { sendJsonString } from './routes-scan.js'

/** Largest parameter value accepted, in bytes (masks and other binary parameters can be big). */
export const DEFAULT_PARAMETER_BODY_LIMIT_BYTES = 16 * 1024 * 1024

const NameParams = z.object({ name: z.string().min(1) })

/**
 * Parameter routes (Dranspose's): `GET /api/v1/parameters` (merged live descriptions),
 * `GET /api/v1/parameter/{name}` (raw bytes, `application/x.bytes`), and
 * `POST /api/v1/parameter/{name}` (raw bytes of any content type → the new hash as a JSON
 * string). Registered in a scope of their own whose only body parser passes raw bytes.
 */
export async function parameterRoutes(
  app: FastifyInstance,
  controller: Controller,
  bodyLimitBytes = DEFAULT_PARAMETER_BODY_LIMIT_BYTES,
): Promise<void> {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: bodyLimitBytes },
    (_req, body, done) => {
      done(null, body)
    },
  )
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/api/v1/parameters',
    {
      schema: {
        tags: ['parameters'],
        summary: 'Descriptions of the parameters live workers and the reducer read',
      },
    },
    async () => (await controller.parameters.describe()).map(descriptionToJson),
  )

  r.get(
    '/api/v1/parameter/:name',
    { schema: { tags: ['parameters'], summary: "A parameter's raw bytes", params: NameParams } },
    async (request, reply) => {
      const data = await controller.parameters.get(request.params.name)
      if (data === undefined) {
        return reply
          .code(404)
          .send(errorBody(404, 'NOT_FOUND', `parameter '${request.params.name}' not found`))
      }
      return reply
        .type('application/x.bytes')
        .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    },
  )

  r.post(
    '/api/v1/parameter/:name',
    {
      bodyLimit: bodyLimitBytes,
      schema: {
        tags: ['parameters'],
        summary: 'Set a parameter from raw bytes; returns the new parameters hash',
        params: NameParams,
        response: { 200: z.string() },
      },
    },
    async (request, reply) => {
      const body = request.body
      const bytes = body instanceof Uint8Array ? body : new Uint8Array(0)
      const result = await controller.setParameter(request.params.name, bytes)
      return sendJsonString(reply, result.hash)
    },
  )
}
