import type { FastifyError, FastifyInstance } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { formatIssues, type ListedIssue } from '../config/format-issues.js'
import { type ErrorCode, isBeamloomError } from '../errors.js'
import { MappingInvalidError } from '../mapping/index.js'

/** One problem in a request, at a JSON path (`['body', 'eiger', 3, 0, 'constraint']`). */
export type HttpIssue = ListedIssue

/** The body of every error response; `detail` is what FastAPI (Dranspose) clients read. */
export interface HttpErrorBody {
  readonly statusCode: number
  readonly error: string
  readonly code: string
  readonly message: string
  readonly detail: string
  readonly issues?: readonly HttpIssue[]
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  CONFIG_INVALID: 400,
  PROTOCOL_INVALID: 400,
  MAPPING_INVALID: 400,
  PARAMETER_INVALID: 400,
  DECODE_FAILED: 400,
  STATE_INVALID: 409,
  UPSTREAM_CLOSED: 503,
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** Build an error body (pure). */
export function errorBody(
  statusCode: number,
  code: string,
  message: string,
  issues?: readonly HttpIssue[],
): HttpErrorBody {
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Error',
    code,
    message,
    detail: message,
    ...(issues === undefined ? {} : { issues }),
  }
}

/**
 * Map anything a handler threw to a status and body (pure): request validation and bad maps →
 * 400 with the issues and their paths; beamloom errors → status by code; fastify's own client
 * errors (malformed JSON, too large, unsupported type) keep their status; the rest → 500.
 */
export function toErrorReply(err: unknown): HttpErrorBody {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'request'
    const issues = err.validation.map((v) => ({
      path: [
        where,
        ...v.instancePath
          .split('/')
          .filter((p) => p !== '')
          .map(segment),
      ],
      message: v.message ?? 'invalid',
    }))
    const listed = issues.length === 0 ? '' : `: ${formatIssues(issues, { max: 1 })}`
    return errorBody(400, 'REQUEST_INVALID', `invalid ${where}${listed}`, issues)
  }
  if (err instanceof MappingInvalidError) {
    return errorBody(400, err.code, err.message, err.issues)
  }
  if (isBeamloomError(err)) {
    return errorBody(STATUS_BY_CODE[err.code] ?? 500, err.code, err.message)
  }
  const fe = err as Partial<FastifyError> | undefined
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return errorBody(fe.statusCode, fe.code ?? 'REQUEST_INVALID', fe.message ?? 'bad request')
  }
  return errorBody(500, 'INTERNAL', 'internal error')
}

/** Install the one error handler (and a JSON 404) on an app. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const body = toErrorReply(err)
    if (body.statusCode >= 500) request.log.error({ err }, 'request failed')
    return reply.code(body.statusCode).send(body)
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(404, 'NOT_FOUND', `no route ${request.method} ${request.url}`)),
  )
}

function segment(s: string): string | number {
  return /^\d+$/.test(s) ? Number(s) : s
}
