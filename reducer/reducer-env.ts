import {
  type ControlPlaneConfig,
  EnvRead,
  parseRoleEnv,
  type RoleEnvSpec,
} from '../src/internal.js'
import { ReducerOptions } from './reducer-options.js'

/**
 * The reducer's own env variables (`REDUCER_` and the option in UPPER_SNAKE case, see
 * `envName`; defaults: see {@link ReducerOptions}): `REDUCER_NAME`, `REDUCER_MODULE` (required;
 * Dranspose's `REDUCER_CLASS` too), `REDUCER_BIND`, `REDUCER_HOST`, `REDUCER_PORT` (default
 * 5010), `REDUCER_ADVERTISE_HOST`, `REDUCER_UPDATES_THROTTLE_MS` (default 200), `REDUCER_H5_DIR`,
 * `REDUCER_TOKEN`, `REDUCER_CALL_TIMEOUT_MS` (default 60000; 0: none), `REDUCER_MEMORY_MIB` (a
 * Python reducer's cap; default 0: none), `BEAMLOOM_PYTHON` (the interpreter of Python
 * reducers), `REDUCER_CORS_ORIGINS` (comma-separated origins, or `*`),
 * `REDUCER_MAX_UPDATE_CLIENTS` (default 64), `DATA_PLANE_KEY_FILE` (the CURVE key, see
 * `parseDataPlaneEnv`). The shared control-plane variables (`REDIS_URL`, `REDIS_KEY_PREFIX`,
 * `HEARTBEAT_MS`) are read with them.
 */
export const ReducerEnvSpec = {
  role: 'reducer',
  prefix: 'REDUCER',
  schema: ReducerOptions,
  dataPlane: true,
  settings: {
    name: {},
    reducerModule: {
      env: 'REDUCER_MODULE',
      aliases: ['REDUCER_CLASS'],
      required: 'required: the reducer class, path/to/file.ts:Export',
    },
    bind: {},
    httpHost: { env: 'REDUCER_HOST' },
    httpPort: { env: 'REDUCER_PORT' },
    advertiseHost: {},
    updatesThrottleMs: {},
    h5Dir: {},
    token: {},
    callTimeoutMs: {},
    memoryMiB: {},
    python: { env: 'BEAMLOOM_PYTHON' },
    corsOrigins: { read: EnvRead.list },
    maxUpdateClients: {},
  },
} as const satisfies RoleEnvSpec<typeof ReducerOptions>

/** A reducer process's whole config: its options and the control plane's. */
export interface ReducerProcessConfig {
  readonly reducer: ReducerOptions
  readonly controlPlane: ControlPlaneConfig
  /** Deprecation notes about the variables read, to log once the logger exists. */
  readonly notes: readonly string[]
}

/**
 * Read the reducer's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseReducerEnv(
  env: Readonly<Record<string, string | undefined>>,
): ReducerProcessConfig {
  const { config, controlPlane, notes } = parseRoleEnv(env, ReducerEnvSpec, ({ heartbeatMs }) => ({
    heartbeatMs,
  }))
  return { reducer: config, controlPlane, notes }
}
