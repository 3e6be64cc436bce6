import { Command } from 'commander'
import { createReducer, parseReducerEnv, ReducerEnvSpec } from '../../reducer/index.js'
import {
  applyDransposeEnv,
  type FlagTargets,
  type FlatEnv,
  layFlags,
  runRole,
} from '../../src/internal.js'
import {
  type LogFlags,
  logConfigOf,
  logFormatOption,
  logLevelOption,
  roleLogger,
} from '../log-options.js'
import { deprecatedPortOption, portFlag } from '../port-option.js'
import { port } from '../validators.js'

/** How long a graceful stop may take before it is forced, in ms. */
const DRAIN_TIMEOUT_MS = 10_000

/** Command-line flags of `beamloom reducer` (each overrides its env variable). */
export interface ReducerFlags extends LogFlags {
  reducer?: string
  name?: string
  port?: number
  /** The deprecated short form of `--port`. */
  p?: number
  host?: string
  bind?: string
  advertiseHost?: string
  redis?: string
  prefix?: string
  h5Dir?: string
  token?: string
}

/**
 * Which of the reducer's settings each flag sets; the variable it overrides is the one
 * `ReducerEnvSpec` reads (`layFlags`).
 */
export const REDUCER_FLAGS = {
  reducer: 'reducerModule',
  name: 'name',
  port: 'httpPort',
  host: 'httpHost',
  bind: 'bind',
  advertiseHost: 'advertiseHost',
  redis: 'REDIS_URL',
  prefix: 'REDIS_KEY_PREFIX',
  h5Dir: 'h5Dir',
  token: 'token',
} as const satisfies FlagTargets<
  typeof ReducerEnvSpec,
  Exclude<keyof ReducerFlags, 'p' | keyof LogFlags>
>

/**
 * `beamloom reducer`: run the reducer process. Flags override the env variables
 * ({@link reducerEnvFromFlags}; `REDUCER_*`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`,
 * see `ReducerEnvSpec`); bad config exits with code 2
 * before any socket opens. Exit code 0 after a clean stop (SIGINT/SIGTERM), 1 when the reducer
 * failed.
 */
export function reducerCommand(): Command {
  return new Command('reducer')
    .description(
      'run the reducer: reduce results from the workers, serve publish over HTTP (env REDUCER_*)',
    )
    .option(
      '-r, --reducer <module>',
      'reducer class, path/to/file.ts:ExportName or path/to/module.py:Class (REDUCER_MODULE)',
    )
    .option('-n, --name <name>', 'process name in the registry (REDUCER_NAME, default reducer)')
    .option('--port <port>', 'HTTP port (REDUCER_PORT, default 5010; 0 = any)', port)
    .addOption(deprecatedPortOption())
    .option('--host <host>', 'HTTP host (REDUCER_HOST, default 127.0.0.1)')
    .option(
      '-b, --bind <address>',
      'results PULL address (REDUCER_BIND, default tcp://127.0.0.1:*)',
    )
    .option('--advertise-host <host>', 'host others reach this process by (REDUCER_ADVERTISE_HOST)')
    .option('--redis <url>', 'control plane Redis URL (REDIS_URL; none = in-memory, alone)')
    .option('--prefix <prefix>', 'control plane key prefix (REDIS_KEY_PREFIX, default beamloom)')
    .option(
      '--h5-dir <dir>',
      'write <scan>.h5 here at the end of each scan and on POST /api/v1/h5 (REDUCER_H5_DIR)',
    )
    .option('--token <token>', 'bearer token for mutating HTTP endpoints (REDUCER_TOKEN)')
    .addOption(logLevelOption('reducer'))
    .addOption(logFormatOption())
    .action(async (flags: ReducerFlags) => {
      process.exitCode = await runReducer(flags, process.env)
    })
}

/**
 * The env the reducer's config is read from (pure): `env` with Dranspose's names translated,
 * the flags laid over it (a flag wins over its variable; `--port` over the deprecated `-p`).
 */
export function reducerEnvFromFlags(
  flags: ReducerFlags,
  env: FlatEnv,
): Record<string, string | undefined> {
  const { port } = portFlag(flags)
  return layFlags(applyDransposeEnv(env, 'reducer'), ReducerEnvSpec, REDUCER_FLAGS, {
    ...flags,
    port,
  })
}

/** Run a reducer process until a signal stops it; resolves the exit code. */
export async function runReducer(flags: ReducerFlags, env: FlatEnv): Promise<number> {
  const config = parseReducerEnv(reducerEnvFromFlags(flags, env))
  const logger = roleLogger(logConfigOf(flags, 'reducer', env), config.reducer.name, {
    notes: [...config.notes, ...portFlag(flags).notes],
  })
  return runRole({
    role: 'reducer',
    name: config.reducer.name,
    logger,
    controlPlane: config.controlPlane,
    withoutRedis: 'memory',
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    make: (plane) => createReducer(config.reducer, { plane, logger }),
  })
}
