import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Controller } from './controller.js'

const LoadQuery = z.object({
  intervals: z
    .union([z.coerce.number().int().positive(), z.array(z.coerce.number().int().positive())])
    .optional()
    .describe('interval lengths in seconds (repeat the parameter); default 1 and 10'),
  scan: z.enum(['true', 'false', '1', '0']).optional().describe('include the whole scan'),
})

/**
 * Status routes: `/api/v1/config` (the ensemble), `/api/v1/status`, `/api/v1/progress`,
 * `/api/v1/load`, and the health probes `/health/live` and `/health/ready`.
 */
export function statusRoutes(app: FastifyInstance, controller: Controller): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.get('/api/v1/config', { schema: { tags: ['status'], summary: 'The live ensemble' } }, () =>
    controller.ensemble(),
  )

  r.get(
    '/api/v1/progress',
    {
      schema: {
        tags: ['status'],
        summary: 'Progress of the current scan',
        response: {
          200: z.object({
            last_assigned: z.int(),
            completed_events: z.int(),
            total_events: z.int(),
            finished: z.boolean(),
            status: z.string().optional(),
            reason: z.string().optional(),
            failed_events: z.int().optional(),
            failed_streams: z.record(z.string(), z.int()).optional(),
            waiting_for: z.array(z.string()).readonly().optional(),
            stalled_for_s: z.int().optional(),
          }),
        },
      },
    },
    () => controller.progress(),
  )

  r.get(
    '/api/v1/status',
    { schema: { tags: ['status'], summary: 'Details of the current scan' } },
    async () => {
      const run = controller.run
      const last = controller.lastRun
      const scan = controller.scan()
      return {
        scan_id: scan?.scanId ?? null,
        scan_number: scan?.number ?? null,
        scan_name: scan?.name ?? null,
        status: scan?.status ?? 'idle',
        reason: scan?.reason ?? null,
        created_at: scan?.createdAt ?? null,
        ended_at: scan?.endedAt ?? null,
        streams: scan?.streams ?? [],
        ...controller.progress(),
        workers: run === undefined ? [] : [...run.members.keys()],
        slots: run?.slots() ?? {},
        assigner: run?.assigner.stats() ?? null,
        counters: controller.stats(),
        // Dranspose's: which worker completed which event; per part instance, constraint → worker.
        work_completed: last?.work.workCompleted() ?? {},
        assignment: last?.work.assignment() ?? [],
        work_completed_truncated: last?.work.truncated ?? false,
      }
    },
  )

  r.get(
    '/api/v1/load',
    {
      schema: {
        tags: ['status'],
        summary: 'Events completed per worker over recent intervals',
        querystring: LoadQuery,
      },
    },
    async (request) => {
      const { intervals, scan } = request.query
      const list =
        intervals === undefined ? [1, 10] : Array.isArray(intervals) ? intervals : [intervals]
      return controller.load(list, scan === undefined || scan === 'true' || scan === '1')
    },
  )

  r.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  r.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await controller.isReady()
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' })
  })
}
