import { Command } from 'commander'
import { applyDransposeEnv, runRole } from '../../src/internal.js'
import { createWorker, parseWorkerEnv } from '../../workers/index.js'
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

interface WorkerOptions {
  worker?: string
  name?: string
  tags?: string
  window?: number
  redis?: string
  metricsPort?: number
}

/**
 * The env the worker's config is read from: the process env (Dranspose's names translated),
 * overridden by the options.
 */
function envOf(opts: WorkerOptions): Record<string, string | undefined> {
  const env = applyDransposeEnv(process.env, 'worker')
  if (opts.worker !== undefined) env.WORKER_MODULE = opts.worker
  if (opts.name !== undefined) env.WORKER_NAME = opts.name
  if (opts.tags !== undefined) env.WORKER_TAGS = opts.tags
  if (opts.window !== undefined) env.WORKER_WINDOW_EVENTS = String(opts.window)
  if (opts.redis !== undefined) env.REDIS_URL = opts.redis
  if (opts.metricsPort !== undefined) env.WORKER_METRICS_PORT = String(opts.metricsPort)
  return env
}

/**
 * `beamloom worker`: run one worker process until SIGTERM/SIGINT (the first drains: the event
 * in hand finishes and its result is sent; a second one, or 10 s, forces). Options override
 * the env (`WORKER_MODULE`, `WORKER_NAME`, `WORKER_TAGS`, `WORKER_WINDOW_EVENTS`,
 * `WORKER_METRICS_PORT`, `REDIS_URL`,
 * `REDIS_KEY_PREFIX`, `HEARTBEAT_MS`). Bad config or a bad module throws a `BeamloomError`
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
    .action(async (opts: WorkerOptions & LogFlags) => {
      const config = parseWorkerEnv(envOf(opts))
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
