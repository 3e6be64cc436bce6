import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'
import type { Logger } from 'pino'
import { bearerGuard } from './bearer-auth.js'
import type { Controller } from './controller.js'
import { installMetrics } from './controller-metrics.js'
import { installErrorHandler } from './http-errors.js'
import { logRoutes } from './routes-logs.js'
import { parameterRoutes } from './routes-parameters.js'
import { scanRoutes } from './routes-scan.js'
import { statusRoutes } from './routes-status.js'
import { statusPageRoutes } from './status-page/status-page-routes.js'

/** Largest JSON body the controller accepts by default (`CONTROLLER_BODY_LIMIT_BYTES`). */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024 * 1024

/** Options of {@link buildControllerApp}. */
export interface ControllerAppOptions {
  /**
   * Bearer token every request but the public ones must carry (see `isPublicRequest`: health,
   * progress, metrics, docs, the status page's files); unset: no check.
   */
  readonly token?: string | undefined
  /** The app's logger (each request is logged at debug); default none. */
  readonly logger?: Logger
  /** Largest JSON body (trigger maps), bytes; default 16 MiB (413 beyond). */
  readonly bodyLimitBytes?: number
  /** Largest parameter value, bytes; default 16 MiB (413 beyond). */
  readonly parameterBodyLimitBytes?: number
  /** Most `/api/v1/log_stream` clients at once; default 32 (503 beyond). */
  readonly maxLogStreams?: number
  /** Reported in the OpenAPI document. */
  readonly version?: string
}

/**
 * The controller's HTTP API as a fastify instance, not listening: Dranspose-compatible routes
 * under `/api/v1`, OpenAPI at `/docs` (JSON at `/docs/json`), `/metrics`, `/health/live`,
 * `/health/ready`, and the status page at `/` and `/status`. One error handler: bad requests and bad maps → 400 with the issues, our
 * errors → status by code, anything else → 500. With a token, requests without it → 401 (but for
 * the public routes).
 */
export function buildControllerApp(
  controller: Controller,
  options: ControllerAppOptions = {},
): FastifyInstance {
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    // Fastify logs two lines per request at info; a status page polling every second would
    // flood the log. One line per request, at debug, instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
  }) as unknown as FastifyInstance
  if (options.logger !== undefined) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug(
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request',
      )
    })
  }
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  installErrorHandler(app)
  void app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'beamloom controller',
        description: 'Trigger maps, scans, parameters and logs (Dranspose-compatible paths)',
        version: options.version ?? '0.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  })
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' })
  if (options.token !== undefined) app.addHook('onRequest', bearerGuard(options.token))
  void app.register(async (scope) => {
    installMetrics(scope, controller)
    scanRoutes(scope, controller)
    statusRoutes(scope, controller)
    logRoutes(scope, controller, options.maxLogStreams)
    statusPageRoutes(scope)
    await scope.register(async (raw) =>
      parameterRoutes(raw, controller, options.parameterBodyLimitBytes),
    )
  })
  return app
}
