import { Command } from 'commander'
import { createReducer, parseReducerEnv } from '../../reducer/index.js'
import { applyDransposeEnv, runRole } from '../../src/internal.js'
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
 * `beamloom reducer`: run the reducer process. Flags override the env variables
 * (`REDUCER_*`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`); bad config exits with code 2
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
 * The environment (Dranspose's names translated) with the flags laid over it (a flag wins over
 * its env variable).
 */
export function reducerEnvFromFlags(
  flags: ReducerFlags,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return {
    ...applyDransposeEnv(env, 'reducer'),
    ...defined({
      REDUCER_MODULE: flags.reducer,
      REDUCER_NAME: flags.name,
      REDUCER_PORT: optionalString(portFlag(flags).port),
      REDUCER_HOST: flags.host,
      REDUCER_BIND: flags.bind,
      REDUCER_ADVERTISE_HOST: flags.advertiseHost,
      REDIS_URL: flags.redis,
      REDIS_KEY_PREFIX: flags.prefix,
      REDUCER_H5_DIR: flags.h5Dir,
      REDUCER_TOKEN: flags.token,
    }),
  }
}

/** Run a reducer process until a signal stops it; resolves the exit code. */
export async function runReducer(
  flags: ReducerFlags,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
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

function optionalString(n: number | undefined): string | undefined {
  return n === undefined ? undefined : String(n)
}

function defined(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v
  return out
}
