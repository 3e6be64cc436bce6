import type { FastifyInstance, FastifyReply } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ConfigError } from '../errors.js'
import {
  parseAllWrap,
  parseSequence,
  parseTriggerMap,
  Sequence,
  sequenceFromTriggerMap,
  TriggerMap,
} from '../mapping/index.js'
import type { Controller } from './controller.js'
import { SARDANA_PART_EVENTS, sardanaSequence } from './sardana-hook.js'
import { sequenceDocument } from './sequence-document.js'

const AllWrapQuery = z.object({
  all_wrap: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .describe('wrap the scan in a start and an end event broadcast to every worker (default true)'),
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('a name for the scan, shown on the status page and written to its result files'),
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
  // Sardana scans are wrapped: their start and end events count against the limit too.
  const maxPoints = controller.limits.maxEvents - 2
  const partEvents = Math.min(SARDANA_PART_EVENTS, controller.limits.maxMapEvents)
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
      const query = queryOf(request.query)
      const allWrap = parseAllWrap(query.all_wrap)
      const map = parseTriggerMap(request.body)
      return sendJsonString(
        reply,
        await controller.startScan(sequenceFromTriggerMap(map), allWrap, scanName(query)),
      )
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
      const query = queryOf(request.query)
      const allWrap = parseAllWrap(query.all_wrap)
      return sendJsonString(
        reply,
        await controller.startScan(parseSequence(request.body), allWrap, scanName(query)),
      )
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
      const sequence = sardanaSequence(
        request.body,
        await controller.servedStreams(),
        maxPoints,
        partEvents,
      )
      return sendJsonString(reply, await controller.startScan(sequence, true))
    },
  )
}

/** The raw query (with attachValidation it may not have passed the schema). */
function queryOf(query: unknown): { all_wrap?: unknown; name?: unknown } {
  return typeof query === 'object' && query !== null
    ? (query as { all_wrap?: unknown; name?: unknown })
    : {}
}

/**
 * The scan's name from the query, if given.
 * @throws ConfigError `CONFIG_INVALID` (400) for a name that is empty, a list or over 200 characters.
 */
function scanName(query: { name?: unknown }): { name?: string } {
  const { name } = query
  if (name === undefined) return {}
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new ConfigError('name: a scan name is 1–200 characters, given once')
  }
  return { name }
}

/** Send a JSON string body (`"…"`), as FastAPI does for a `str` return value. */
export function sendJsonString(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(text))
}
