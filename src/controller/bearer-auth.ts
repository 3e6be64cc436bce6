import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorBody } from './http-errors.js'

/**
 * Routes anyone may read (GET/HEAD) without the token: liveness and readiness probes, scan
 * progress (what beamline clients poll), Prometheus metrics (counters, no addresses), the
 * OpenAPI docs and the status page's own files (the page then sends the token it is given).
 * Everything else, reads included (`/config` names data-socket addresses, `/status` the scan
 * id and workers, `/logs` what processes say), needs the token.
 */
const PUBLIC_ROUTES = new Set([
  '/health/live',
  '/health/ready',
  '/api/v1/progress',
  '/metrics',
  '/',
  '/status',
  '/status/:file',
])

/** Whether a request may pass without the token (see {@link PUBLIC_ROUTES}). */
export function isPublicRequest(method: string, route: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false
  if (route === undefined) return false
  return PUBLIC_ROUTES.has(route) || route === '/docs' || route.startsWith('/docs/')
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/** Whether `authorization` carries `Bearer <token>` (constant time over SHA-256 digests). */
export function hasBearerToken(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '')
  const given = digest(match?.[1]?.trim() ?? '')
  return match !== null && timingSafeEqual(given, expected)
}

/**
 * An `onRequest` hook: every request but the public ones ({@link isPublicRequest}) must carry
 * `Authorization: Bearer <token>`; otherwise 401 with `WWW-Authenticate: Bearer`. Compared in
 * constant time (over SHA-256 digests, so the token's length does not leak either).
 */
export function bearerGuard(token: string) {
  const expected = digest(token)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (isPublicRequest(request.method, request.routeOptions.url)) return
    if (hasBearerToken(request.headers.authorization, expected)) return
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(errorBody(401, 'UNAUTHORIZED', 'a valid bearer token is required'))
  }
}
