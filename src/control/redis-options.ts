import { isIP } from 'node:net'
import type { RedisOptions } from 'ioredis'
import { z } from 'zod'
import { RedisUrl } from '../config/redis-url.js'
import { backoffMs } from '../service/retry.js'
import { KeyPrefix } from './control-keys.js'

const positiveMs = z.number().int().positive()

/**
 * Options of `createRedisControlPlane`, validated before any socket opens. Defaults live here.
 *
 * - `url`: `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS.
 * - `keyPrefix`: namespace of every key (a unique one per deployment, and per test).
 * - `connectTimeoutMs`: how long `start()` waits for the first connection before failing.
 * - `lostAfterMs`: how long the connection may stay down (while reconnecting with capped
 *   back-off between `retryMinMs` and `retryMaxMs`) before the plane closes with
 *   `UPSTREAM_CLOSED` ("infrastructure lost").
 * - `tls`: extra TLS settings for `rediss://` (CA bundle in PEM, server name, verification).
 */
export const RedisControlPlaneOptions = z.strictObject({
  url: RedisUrl,
  keyPrefix: KeyPrefix.default('beamloom'),
  connectTimeoutMs: positiveMs.default(10_000),
  lostAfterMs: positiveMs.default(30_000),
  retryMinMs: positiveMs.default(50),
  retryMaxMs: positiveMs.default(2_000),
  connectionName: z
    .string()
    .regex(/^[!-~]+$/, 'printable ASCII without spaces')
    .optional(),
  tls: z
    .strictObject({
      ca: z.string().optional(),
      servername: z.string().optional(),
      rejectUnauthorized: z.boolean().optional(),
    })
    .optional(),
})
export type RedisControlPlaneOptions = z.output<typeof RedisControlPlaneOptions>
/** What callers pass to `createRedisControlPlane` (defaults applied by the schema). */
export type RedisControlPlaneInput = z.input<typeof RedisControlPlaneOptions>

/**
 * The pause before reconnection attempt `attempt` (from 1), ms: the kit's capped exponential
 * back-off (pure).
 */
export const reconnectDelayMs = backoffMs

/**
 * ioredis options for validated plane options (pure). Commands wait in the offline queue while
 * the connection is down (no per-request retry limit): the plane's `lostAfterMs` decides when
 * waiting ends.
 */
export function ioredisOptions(options: RedisControlPlaneOptions): RedisOptions {
  const { url } = options
  const tls = url.tls
    ? {
        ...(options.tls?.ca === undefined ? {} : { ca: options.tls.ca }),
        ...(options.tls?.rejectUnauthorized === undefined
          ? {}
          : { rejectUnauthorized: options.tls.rejectUnauthorized }),
        // SNI must not carry an IP address (RFC 6066); verification then uses the IP SAN.
        ...(options.tls?.servername !== undefined
          ? { servername: options.tls.servername }
          : isIP(url.host) === 0
            ? { servername: url.host }
            : {}),
      }
    : undefined
  return {
    host: url.host,
    port: url.port,
    db: url.db,
    ...(url.username === undefined ? {} : { username: url.username }),
    ...(url.password === undefined ? {} : { password: url.password }),
    ...(tls === undefined ? {} : { tls }),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (attempt) => reconnectDelayMs(attempt, options.retryMinMs, options.retryMaxMs),
    lazyConnect: true,
  }
}
