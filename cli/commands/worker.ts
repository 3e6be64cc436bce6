import { Command } from 'commander'
import type { ControlPlane } from '../../src/internal.js'
import {
  applyDransposeEnv,
  ConfigError,
  createRoleControlPlane,
  isBeamloomError,
  runWithSignals,
  ServiceBase,
} from '../../src/internal.js'
import {
  createWorker,
  parseWorkerEnv,
  type WorkerLogger,
  type WorkerProcessConfig,
} from '../../workers/index.js'
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

/** The worker process: its control plane, then the worker; closed in reverse. */
class WorkerProcess extends ServiceBase {
  readonly #config: WorkerProcessConfig
  readonly #logger: WorkerLogger

  constructor(config: WorkerProcessConfig, logger: WorkerLogger) {
    super(`worker process '${config.worker.name}'`)
    this.#config = config
    this.#logger = logger
  }

  protected override async onStart(): Promise<void> {
    const { controlPlane, worker: workerConfig } = this.#config
    if (controlPlane.redisUrl === undefined) {
      throw new ConfigError('beamloom worker needs Redis: set REDIS_URL or pass --redis <url>')
    }
    const plane: ControlPlane = createRoleControlPlane({
      url: controlPlane.redisUrl,
      keyPrefix: controlPlane.keyPrefix,
      connectTimeoutMs: controlPlane.connectTimeoutMs,
      role: 'worker',
      name: workerConfig.name,
      logger: this.#logger,
    })
    this.addCloseStep('control plane', () => plane.close())
    await plane.start()
    this.#failWith(plane)
    const worker = createWorker(workerConfig, { plane, logger: this.#logger })
    this.addCloseStep('worker', ({ force }) => worker.close({ force }))
    await worker.start()
    this.#failWith(worker)
  }

  /** A part that ends by itself (with an error or not) ends the process. */
  #failWith(part: { closed: Promise<Error | undefined> }): void {
    void part.closed.then((err) => {
      if (this.state === 'running' || this.state === 'starting') {
        this.fail(err ?? new Error('a part of the worker process closed unexpectedly'))
      }
    })
  }
}

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
      const logger = roleLogger(logConfigOf(opts, 'worker'), `worker ${config.worker.name}`)
      let fatal: Error | undefined
      const code = await runWithSignals(new WorkerProcess(config, logger), {
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        onEvent: (event) => {
          if (event.kind === 'closed') fatal = event.error
          else logger.info({ event: event.kind }, `worker ${event.kind}`)
        },
      })
      // Bad input (config, module) is reported like any other CLI input error.
      if (
        fatal !== undefined &&
        (isBeamloomError(fatal, 'CONFIG_INVALID') ||
          isBeamloomError(fatal, 'MODULE_INVALID') ||
          isBeamloomError(fatal, 'MODULE_NOT_FOUND'))
      ) {
        throw fatal
      }
      if (fatal !== undefined) logger.error({ err: fatal.message }, 'worker ended with an error')
      process.exitCode = code
    })
}
