import cors from '@fastify/cors'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { bearerGuard, installErrorHandler } from '../src/http.js'
import type { ServiceState } from '../src/internal.js'
import { encodePayload, toJsonValue } from '../src/internal.js'
import { beamloomVersion } from './hdf5-file/beamloom-version.js'
import { registerH5FileRoute } from './hdf5-file/h5-file-route.js'
import type { H5Files } from './hdf5-file/h5-files.js'
import { registerHdf5Rest } from './hdf5-rest/register-hdf5-rest.js'
import { nexusEntry } from './nexus/nexus-entry.js'
import { type ScanMetadata, scanMetadataJson } from './nexus/scan-metadata.js'
import { selectPublishPath } from './publish-path.js'
import type { ReducerMetrics } from './reducer-metrics.js'
import type { ScanCounts, ScanRunStatus } from './scan-run.js'
import type { UpdateHub } from './updates/update-hub.js'
import { registerUpdatesRoute } from './updates/updates-route.js'
import { registerViewer } from './viewer/viewer-routes.js'

/** What `GET /api/v1/status` returns. */
export interface ReducerStatus {
  readonly name: string
  readonly state: ServiceState
  readonly ready: boolean
  readonly module: string
  /** Result items received and not yet handled. */
  readonly queueDepth: number
  /** Parameter store version the current parameters come from. */
  readonly parametersVersion: number
  /** The current (or last) scan; `null` before the first. */
  readonly scan:
    | (ScanCounts & {
        readonly scanId: string
        readonly status: ScanRunStatus
        readonly startedAt: string
        readonly endedAt: string | null
        readonly reason: string | null
        readonly pendingCompletions: number
        /** The exactly-once filter: events held, and the floor below which all count as seen. */
        readonly dedup: { readonly size: number; readonly floor: number }
      })
    | null
}

/** What the HTTP API reads from the reducer. */
export interface ReducerView {
  readonly publish: unknown
  readonly ready: boolean
  readonly state: ServiceState
  readonly metrics: ReducerMetrics
  /** Change notices for `GET /api/v1/updates`; without it the route is not served. */
  readonly updates?: UpdateHub
  /** HDF5 files on request (`POST /api/v1/h5`); without it the route answers 409. */
  readonly h5Files?: H5Files
  /** Bearer token `POST /api/v1/h5` and `GET /api/v1/status` must carry; unset: no check. */
  readonly httpToken?: string | undefined
  /** Most `/api/v1/updates` clients at once (default 64). */
  readonly maxUpdateClients?: number
  /**
   * How the result is made (scan, end state, modules, parameters, sources): the HDF5-REST
   * root shows it beside `publish`, as files do under `/entry`. Without it the root is
   * `publish` alone.
   */
  metadata?(): ScanMetadata
  /** Origins whose pages may read the API cross-origin (`*`: any); none by default. */
  readonly corsOrigins?: readonly string[] | undefined
  status(): ReducerStatus
}

const CBOR = 'application/cbor'

/**
 * The reducer's HTTP API, not listening (call `listen`, or `inject` in tests):
 * - `GET /api/v1/result/` and `GET /api/v1/result/<path>` — `publish`, or its sub-tree at a
 *   slash-separated path (404 naming the missing part), as JSON, or CBOR when the request
 *   accepts `application/cbor`. Dranspose served pickles under this prefix; beamloom never
 *   serves pickle.
 * - `GET /api/v1/status` — scan, counts, queue depth ({@link ReducerStatus}).
 * - `GET /api/v1/scan` — how the result is made: scan number and name, end state and reason,
 *   times, modules and their hashes, parameters, sources (what files record; 404 without).
 * - `GET /metrics` — Prometheus text.
 * - `GET /health/live` (200 until closed), `GET /health/ready` (200 while running, else 503).
 * - `GET /api/v1/updates` (server-sent events: which paths changed), `GET /viewer` (the live
 *   viewer page) and `GET /api/v1/outline` (see docs/viewer.md).
 * - The HDF5-REST subset h5pyd, silx and h5web read, at the root: `GET /`, `/groups/…`,
 *   `/datasets/…` (see docs/results-api.md): `publish` as the NeXus entry files hold, with the
 *   scan's metadata when the view has it; `POST /api/v1/h5` writes an HDF5 file now.
 *
 * With `corsOrigins`, pages of those origins may read (GET) across origins, preflights answered.
 *
 * Reads are consistent: a reply is serialised synchronously between two `processResult` calls
 * (see docs/reducer.md for async reducers).
 */
export function buildReducerApp(reducer: ReducerView): FastifyInstance {
  const app = Fastify({ logger: false })
  const origins = reducer.corsOrigins ?? []
  if (origins.length > 0) {
    // Reads only: a page of another origin (a served h5web) may GET, never write.
    void app.register(cors, {
      origin: origins.includes('*') ? '*' : [...origins],
      methods: ['GET', 'HEAD'],
      maxAge: 600,
    })
  }

  installErrorHandler(app)

  const sendResult = (path: string, accept: string | undefined, reply: FastifyReply): unknown => {
    const selected = selectPublishPath(reducer.publish, path)
    if (!selected.found) {
      const hint = path === 'pickle' ? ' (beamloom serves JSON and CBOR, never pickle)' : ''
      return reply
        .code(404)
        .send({ error: 'Not Found', message: `no '${selected.missing}' in publish${hint}` })
    }
    if (accept?.includes(CBOR)) {
      return reply.type(CBOR).send(Buffer.from(encodePayload(selected.value)))
    }
    return reply.type('application/json').send(JSON.stringify(toJsonValue(selected.value)))
  }

  app.get('/api/v1/result', (req, reply) => sendResult('', req.headers.accept, reply))
  app.get('/api/v1/result/', (req, reply) => sendResult('', req.headers.accept, reply))
  app.get<{ Params: { '*': string } }>('/api/v1/result/*', (req, reply) =>
    sendResult(req.params['*'], req.headers.accept, reply),
  )
  // The status names the scan and the reducer's queues: internals, behind the token if any.
  app.get(
    '/api/v1/status',
    reducer.httpToken === undefined ? {} : { onRequest: bearerGuard(reducer.httpToken) },
    () => reducer.status(),
  )
  app.get('/api/v1/scan', (_req, reply) => {
    const metadata = reducer.metadata?.()
    if (metadata === undefined) {
      return reply.code(404).send({ error: 'Not Found', message: 'no scan metadata here' })
    }
    return reply.send(scanMetadataJson(metadata, beamloomVersion()))
  })
  if (reducer.updates !== undefined)
    registerUpdatesRoute(app, reducer.updates, reducer.maxUpdateClients)
  registerViewer(app, () => reducer.publish)
  registerHdf5Rest(app, {
    get publish() {
      const metadata = reducer.metadata?.()
      return metadata === undefined
        ? reducer.publish
        : nexusEntry(reducer.publish, metadata, beamloomVersion()).tree
    },
  })
  registerH5FileRoute(app, reducer.h5Files, reducer.httpToken)
  app.get('/metrics', async (_req, reply) => {
    const registry = reducer.metrics.registry
    const text = await registry.metrics()
    return reply.type(registry.contentType).send(text)
  })
  app.get('/health/live', (_req, reply) =>
    reply.code(reducer.state === 'closed' ? 503 : 200).send({ live: reducer.state !== 'closed' }),
  )
  app.get('/health/ready', (_req, reply) =>
    reply.code(reducer.ready ? 200 : 503).send({ ready: reducer.ready, state: reducer.state }),
  )
  return app
}
