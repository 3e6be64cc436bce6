import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorBody } from './http-errors.js'

/** Methods that change something and need the token. */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}

/**
 * An `onRequest` hook: every mutating request must carry `Authorization: Bearer <token>`;
 * otherwise 401 with `WWW-Authenticate: Bearer`. Compared in constant time (over SHA-256
 * digests, so the token's length does not leak either).
 */
export function bearerGuard(token: string) {
  const expected = digest(token)
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!MUTATING.has(request.method)) return
    const header = request.headers.authorization ?? ''
    const match = /^Bearer\s+(.+)$/i.exec(header)
    const given = digest(match?.[1]?.trim() ?? '')
    if (match !== null && timingSafeEqual(given, expected)) return
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(errorBody(401, 'UNAUTHORIZED', 'a valid bearer token is required'))
  }
}
