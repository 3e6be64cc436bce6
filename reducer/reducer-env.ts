import { z } from 'zod'
import {
  ConfigError,
  type ControlPlaneConfig,
  parseControlPlaneEnv,
  parseDataPlaneEnv,
} from '../src/internal.js'
import { ReducerOptions } from './reducer-options.js'

/**
 * The reducer's own env variables (defaults: see {@link ReducerOptions}):
 * `REDUCER_NAME`, `REDUCER_MODULE` (required), `REDUCER_BIND`, `REDUCER_HOST`, `REDUCER_PORT`
 * (default 5010), `REDUCER_ADVERTISE_HOST`, `REDUCER_UPDATES_THROTTLE_MS` (default 200), `REDUCER_H5_DIR`, `REDUCER_TOKEN`,
 * `REDUCER_CALL_TIMEOUT_MS` (default 60000; 0: none), `REDUCER_MEMORY_MIB` (a Python reducer's
 * cap; default 0: none), `BEAMLOOM_PYTHON` (the interpreter of Python reducers).
 * `REDUCER_CORS_ORIGINS` (comma-separated origins, or `*`), `REDUCER_MAX_UPDATE_CLIENTS` (default
 * 64), `DATA_PLANE_KEY_FILE` (the CURVE key, see `parseDataPlaneEnv`). The shared control-plane variables (`REDIS_URL`,
 * `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`) are read by `parseControlPlaneEnv`.
 */
export const ReducerEnv = z
  .object({
    REDUCER_NAME: z.string().optional(),
    REDUCER_MODULE: z.string({ error: 'required: the reducer class, path/to/file.ts:Export' }),
    REDUCER_BIND: z.string().optional(),
    REDUCER_HOST: z.string().optional(),
    REDUCER_PORT: z.coerce.number().optional(),
    REDUCER_ADVERTISE_HOST: z.string().optional(),
    REDUCER_UPDATES_THROTTLE_MS: z.coerce.number().optional(),
    REDUCER_H5_DIR: z.string().optional(),
    REDUCER_TOKEN: z.string().optional(),
    REDUCER_CALL_TIMEOUT_MS: z.coerce.number().optional(),
    REDUCER_MEMORY_MIB: z.coerce.number().optional(),
    BEAMLOOM_PYTHON: z.string().optional(),
    REDUCER_CORS_ORIGINS: z.string().optional(),
    REDUCER_MAX_UPDATE_CLIENTS: z.coerce.number().optional(),
  })
  .transform((env, ctx) => {
    const parsed = ReducerOptions.safeParse(
      dropUndefined({
        name: env.REDUCER_NAME,
        reducerModule: env.REDUCER_MODULE,
        bind: env.REDUCER_BIND,
        httpHost: env.REDUCER_HOST,
        httpPort: env.REDUCER_PORT,
        advertiseHost: env.REDUCER_ADVERTISE_HOST,
        updatesThrottleMs: env.REDUCER_UPDATES_THROTTLE_MS,
        h5Dir: env.REDUCER_H5_DIR,
        token: env.REDUCER_TOKEN,
        callTimeoutMs: env.REDUCER_CALL_TIMEOUT_MS,
        memoryMiB: env.REDUCER_MEMORY_MIB,
        python: env.BEAMLOOM_PYTHON,
        maxUpdateClients: env.REDUCER_MAX_UPDATE_CLIENTS,
        corsOrigins: env.REDUCER_CORS_ORIGINS?.split(',')
          .map((o) => o.trim())
          .filter((o) => o !== ''),
      }),
    )
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) {
      const option = String(issue.path[0] ?? '')
      ctx.addIssue({ code: 'custom', message: issue.message, path: [ENV_NAMES[option] ?? option] })
    }
    return z.NEVER
  })

const ENV_NAMES: Readonly<Record<string, string>> = {
  name: 'REDUCER_NAME',
  reducerModule: 'REDUCER_MODULE',
  bind: 'REDUCER_BIND',
  httpHost: 'REDUCER_HOST',
  httpPort: 'REDUCER_PORT',
  advertiseHost: 'REDUCER_ADVERTISE_HOST',
  updatesThrottleMs: 'REDUCER_UPDATES_THROTTLE_MS',
  h5Dir: 'REDUCER_H5_DIR',
  token: 'REDUCER_TOKEN',
  callTimeoutMs: 'REDUCER_CALL_TIMEOUT_MS',
  memoryMiB: 'REDUCER_MEMORY_MIB',
  python: 'BEAMLOOM_PYTHON',
  corsOrigins: 'REDUCER_CORS_ORIGINS',
  maxUpdateClients: 'REDUCER_MAX_UPDATE_CLIENTS',
}

/** A reducer process's whole config: its options and the control plane's. */
export interface ReducerProcessConfig {
  readonly reducer: ReducerOptions
  readonly controlPlane: ControlPlaneConfig
}

/**
 * Read the reducer's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseReducerEnv(
  env: Readonly<Record<string, string | undefined>>,
): ReducerProcessConfig {
  const controlPlane = parseControlPlaneEnv(env)
  const parsed = ReducerEnv.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid reducer config: ${issues}`)
  }
  return { reducer: { ...parsed.data, ...parseDataPlaneEnv(env) }, controlPlane }
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
}
