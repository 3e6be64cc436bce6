import { z } from 'zod'
import { KeyPrefix } from '../control/control-keys.js'
import { DEFAULT_HEARTBEAT_MS } from '../control/process-registry.js'
import { RedisUrl } from './redis-url.js'

/**
 * The shared control-plane part of every process's env, read alongside each role's own by
 * `parseRoleEnv` (as its spec says: all, none or some of these):
 * - `REDIS_URL` — `redis://` or `rediss://` with optional user and password; unset means the
 *   embedded in-memory plane (only meaningful when all roles run in one process);
 * - `REDIS_KEY_PREFIX` — namespace of every key (default `beamloom`; one per deployment);
 * - `HEARTBEAT_MS` — registry heartbeat period (default 1000; gone after 3 missed beats);
 * - `REDIS_CONNECT_TIMEOUT_MS` — how long a process waits for Redis at start-up before it
 *   fails naming the URL (default 10 000).
 */
export const ControlPlaneEnv = z
  .object({
    REDIS_URL: z
      .string()
      .optional()
      .superRefine((url, ctx) => {
        if (url === undefined) return
        const parsed = RedisUrl.safeParse(url)
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue(issue.message)
      }),
    REDIS_KEY_PREFIX: KeyPrefix.default('beamloom'),
    HEARTBEAT_MS: z.coerce.number().int().positive().default(DEFAULT_HEARTBEAT_MS),
    REDIS_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  })
  .transform((env) => ({
    redisUrl: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    heartbeatMs: env.HEARTBEAT_MS,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
  }))
/** Typed control-plane config, from {@link ControlPlaneEnv}. */
export type ControlPlaneConfig = z.output<typeof ControlPlaneEnv>

/** The name of one shared control-plane variable (`REDIS_URL`, `REDIS_CONNECT_TIMEOUT_MS`, …). */
export type ControlPlaneVariable = keyof z.input<typeof ControlPlaneEnv>
