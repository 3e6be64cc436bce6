import { z } from 'zod'
import { type FlatEnv, parseRoleEnv, type RoleEnvSpec } from '../../src/internal.js'

/**
 * What `beamloom up` reads from its env, with the roles' config helper (`parseRoleEnv`): of the
 * shared control-plane variables only `REDIS_CONNECT_TIMEOUT_MS`, since its control plane and
 * key prefix are its `--redis` and `--prefix` flags (`REDIS_URL`, `REDIS_KEY_PREFIX` and
 * `HEARTBEAT_MS` are not read); no setting of its own. Its log settings are `parseLogEnv`'s.
 */
export const UpEnvSpec = {
  role: 'up',
  prefix: 'UP',
  schema: z.object({}),
  settings: {},
  controlPlane: ['REDIS_CONNECT_TIMEOUT_MS'],
} as const satisfies RoleEnvSpec<z.ZodObject>

/** What {@link parseUpEnv} reads. */
export interface UpEnv {
  /** How long to wait for `--redis` at start-up, ms (`REDIS_CONNECT_TIMEOUT_MS`, default 10 s). */
  readonly connectTimeoutMs: number
}

/**
 * Read `beamloom up`'s env ({@link UpEnvSpec}; pure, pass `process.env`).
 * @throws ConfigError `CONFIG_INVALID`: `invalid up config: REDIS_CONNECT_TIMEOUT_MS: …`.
 */
export function parseUpEnv(env: FlatEnv): UpEnv {
  const { connectTimeoutMs } = parseRoleEnv(env, UpEnvSpec).controlPlane
  return { connectTimeoutMs }
}
