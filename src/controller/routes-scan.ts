import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import {
  parseAllWrap,
  parseSequence,
  parseTriggerMap,
  Sequence,
  sequenceFromTriggerMap,
  TriggerMap,
} from '../mapping/index.js'
import type { Controller } from './controller.js'
import { sardanaSequence } from './sardana-hook.js'
import { sequenceDocument } from './sequence-document.js'

const AllWrapQuery = z.object({
  all_wrap: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('wrap the scan in a start and an end event broadcast to every worker (default true)'),
})
const ScanIdReply = z.string().describe('the new scan id (UUID)')
const SequenceReply = z
  .object({
    parts: z.record(z.string(), z.object({ mapping: z.record(z.string(), z.unknown()) })),
    sequence: z.array(z.string()),
  })
  .describe(
    "Dranspose's document: each part as {mapping}, reserved_start_end included when wrapped",
  )

/**
 * Scan routes (Dranspose's shapes): `GET/POST /api/v1/mapping`, `GET/POST /api/v1/sequence`,
 * `POST /api/v1/stop`, `POST /api/v1/sardana_hook`. Bodies are validated by the mapping module
 * (`MappingInvalidError` with paths → 400); the schemas here document them in OpenAPI.
 */
export function scanRoutes(app: FastifyInstance, controller: Controller): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const getSequence = async () => sequenceDocument(controller.scan())
  r.get(
    '/api/v1/sequence',
    {
      schema: {
        tags: ['scan'],
        summary: "The current scan's sequence",
        response: { 200: SequenceReply },
      },
    },
    getSequence,
  )
  r.get(
    '/api/v1/mapping',
    {
      schema: {
        tags: ['scan'],
        summary: 'Alias of GET /api/v1/sequence (Dranspose)',
        response: { 200: SequenceReply },
      },
    },
    getSequence,
  )

  r.post(
    '/api/v1/mapping',
    {
      attachValidation: true,
      schema: {
        tags: ['scan'],
        summary: 'Start a scan from one trigger map',
        body: TriggerMap,
        querystring: AllWrapQuery,
        response: { 200: ScanIdReply },
      },
    },
    async (request, reply) => {
      const allWrap = parseAllWrap(queryOf(request.query).all_wrap)
      const map = parseTriggerMap(request.body)
      return sendJsonString(reply, await controller.startScan(sequenceFromTriggerMap(map), allWrap))
    },
  )

  r.post(
    '/api/v1/sequence',
    {
      attachValidation: true,
      schema: {
        tags: ['scan'],
        summary: 'Start a scan from parts and a sequence',
        body: Sequence,
        querystring: AllWrapQuery,
        response: { 200: ScanIdReply },
      },
    },
    async (request, reply) => {
      const allWrap = parseAllWrap(queryOf(request.query).all_wrap)
      return sendJsonString(reply, await controller.startScan(parseSequence(request.body), allWrap))
    },
  )

  r.post(
    '/api/v1/stop',
    { schema: { tags: ['scan'], summary: 'Stop the running scan' } },
    async (_request, reply) => {
      await controller.stop()
      return reply.type('application/json').send('null')
    },
  )

  r.post(
    '/api/v1/sardana_hook',
    {
      schema: {
        tags: ['scan'],
        summary: 'Start a uniform scan from a Sardana scan description',
        body: z.record(z.string(), z.unknown()),
        response: { 200: ScanIdReply },
      },
    },
    async (request, reply) => {
      const sequence = sardanaSequence(request.body, await controller.servedStreams())
      return sendJsonString(reply, await controller.startScan(sequence, true))
    },
  )
}

/** The raw query (with attachValidation it may not have passed the schema). */
function queryOf(query: unknown): { all_wrap?: unknown } {
  return typeof query === 'object' && query !== null ? (query as { all_wrap?: unknown }) : {}
}

/** Send a JSON string body (`"…"`), as FastAPI does for a `str` return value. */
export function sendJsonString(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(text))
}
