import { Command } from 'commander'
import {
  applyDransposeEnv,
  type FlagTargets,
  type FlatEnv,
  layFlags,
  runRole,
} from '../../src/internal.js'
import { createWorker, parseWorkerEnv, WorkerEnvSpec } from '../../workers/index.js'
import {
  type LogFlags,
  logConfigOf,
  logFormatOption,
  logLevelOption,
  roleLogger,
} from '../log-options.js'
import { port, positiveInt } from '../validators.js'

/** How long a graceful stop (SIGTERM) may take before it is forced, in milliseconds. */
const DRAIN_TIMEOUT_MS = 10_000

/** Command-line flags of `beamloom worker` (each overrides its env variable). */
export interface WorkerFlags {
  worker?: string
  name?: string
  tags?: string
  window?: number
  redis?: string
  metricsPort?: number
}

/**
 * Which of the worker's settings each flag sets; the variable it overrides is the one
 * `WorkerEnvSpec` reads (`layFlags`).
 */
export const WORKER_FLAGS = {
  worker: 'workerModule',
  name: 'name',
  tags: 'tags',
  window: 'windowEvents',
  redis: 'REDIS_URL',
  metricsPort: 'metricsPort',
} as const satisfies FlagTargets<typeof WorkerEnvSpec, keyof WorkerFlags>

/**
 * The env the worker's config is read from (pure): `env` with Dranspose's names translated, the
 * flags laid over it (a flag wins over its variable).
 */
export function workerEnvFromFlags(
  flags: WorkerFlags,
  env: FlatEnv,
): Record<string, string | undefined> {
  return layFlags(applyDransposeEnv(env, 'worker'), WorkerEnvSpec, WORKER_FLAGS, flags)
}

/**
 * `beamloom worker`: run one worker process until SIGTERM/SIGINT (the first drains: the event
 * in hand finishes and its result is sent; a second one, or 10 s, forces). Flags override the
 * env ({@link workerEnvFromFlags}; `WORKER_*`, `REDIS_URL`, `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`,
 * see `WorkerEnvSpec`). Bad config or a bad module throws a `BeamloomError`
 * (the CLI prints it and exits 2); a worker that ends with an error sets exit code 1.
 */
export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'run a worker: joins the scans the controller runs and applies the analysis to its events',
    )
    .option(
      '-w, --worker <module>',
      'worker class, path/to/file.ts:ExportName or path/to/module.py:Class (env WORKER_MODULE)',
    )
    .option('--name <name>', 'worker name (env WORKER_NAME; default hostname-pid)')
    .option('--tags <a,b>', 'comma-separated capabilities (env WORKER_TAGS; default generic)')
    .option(
      '--window <events>',
      'events asked for at once (env WORKER_WINDOW_EVENTS; default 64)',
      positiveInt,
    )
    .option('--redis <url>', 'control plane, redis://host:6379 (env REDIS_URL)')
    .option(
      '--metrics-port <port>',
      'serve /metrics and /health/* on this port, 0 = any free one; default off (env WORKER_METRICS_PORT)',
      port,
    )
    .addOption(logLevelOption('worker'))
    .addOption(logFormatOption())
    .action(async (opts: WorkerFlags & LogFlags) => {
      const config = parseWorkerEnv(workerEnvFromFlags(opts, process.env))
      const logger = roleLogger(logConfigOf(opts, 'worker'), `worker ${config.worker.name}`, {
        notes: config.notes,
      })
      process.exitCode = await runRole({
        role: 'worker',
        name: config.worker.name,
        logger,
        controlPlane: config.controlPlane,
        withoutRedis: 'refuse',
        howToSetRedis: 'set REDIS_URL or pass --redis <url>',
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        make: (plane) => createWorker(config.worker, { plane, logger }),
      })
    })
}
