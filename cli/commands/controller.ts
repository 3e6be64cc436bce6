import { hostname } from 'node:os'
import { Command } from 'commander'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { buildControllerApp, createController } from '../../src/http.js'
import type { ControlPlane, FlagTargets, FlatEnv } from '../../src/internal.js'
import {
  applyDransposeEnv,
  type ControllerConfig,
  ControllerEnvSpec,
  layFlags,
  parseControllerEnv,
  runRole,
  ServiceBase,
  warnIfExposed,
} from '../../src/internal.js'
import {
  type LogFlags,
  logConfigOf,
  logFormatOption,
  logLevelOption,
  roleLogger,
} from '../log-options.js'
import { deprecatedPortOption, portFlag } from '../port-option.js'
import { port, positiveInt } from '../validators.js'

/** How long a graceful stop (SIGTERM) may take before it is forced, in milliseconds. */
const DRAIN_TIMEOUT_MS = 10_000

/**
 * The controller on its control plane: HTTP API and controller service, closed in reverse
 * (`runRole` owns the plane and the signals).
 */
class ControllerServer extends ServiceBase {
  readonly #config: ControllerConfig
  readonly #plane: ControlPlane
  readonly #logger: Logger
  readonly #version: string | undefined

  constructor(
    config: ControllerConfig,
    plane: ControlPlane,
    logger: Logger,
    version: string | undefined,
  ) {
    super(`controller '${config.name}'`)
    this.#config = config
    this.#plane = plane
    this.#logger = logger
    this.#version = version
  }

  protected override async onStart(): Promise<void> {
    const config = this.#config
    let bound: string | undefined
    const url = (): string | undefined => config.url ?? bound
    const controller = createController(
      { ...config, url, controlPlane: { heartbeatMs: config.controlPlane.heartbeatMs } },
      {
        plane: this.#plane,
        logger: this.#logger,
        ...(this.#version === undefined ? {} : { version: this.#version }),
      },
    )
    const app: FastifyInstance = buildControllerApp(controller, {
      token: config.token,
      logger: this.#logger,
      bodyLimitBytes: config.bodyLimitBytes,
      parameterBodyLimitBytes: config.parameterBodyLimitBytes,
      maxLogStreams: config.maxLogStreams,
      ...(this.#version === undefined ? {} : { version: this.#version }),
    })
    // Listen first, so the URL the controller registers names the bound port; the controller
    // closes first (its close step is added last), then the API.
    this.addCloseStep('http api', () => app.close())
    warnIfExposed(this.#logger, 'the controller API', config.host, config.token, 'CONTROLLER_TOKEN')
    await app.listen({ host: config.host, port: config.port })
    const address = app.server.address()
    if (address !== null && typeof address === 'object') {
      const host = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host
      bound = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
    }
    this.addCloseStep('controller', ({ force }) => controller.close({ force }))
    await controller.start()
    void controller.closed.then((err) => {
      if (this.state === 'running' || this.state === 'starting') {
        this.fail(err ?? new Error('the controller closed unexpectedly'))
      }
    })
    this.#logger.info({ url: url() }, 'controller running')
  }
}

/** Command-line flags of `beamloom controller` (each overrides its env variable). */
export interface ControllerFlags {
  host?: string
  port?: number
  /** The deprecated short form of `--port`. */
  p?: number
  token?: string
  name?: string
  url?: string
  redis?: string
  keyPrefix?: string
  heartbeatMs?: number
  lookaheadEvents?: number
  horizonEvents?: number
  scanRetentionMs?: number
  stallWarnMs?: number
  stallTimeoutMs?: number
  eventAttempts?: number
}

/**
 * Which of the controller's settings each flag sets; the variable it overrides is the one
 * {@link ControllerEnvSpec} reads (`layFlags`).
 */
export const CONTROLLER_FLAGS = {
  host: 'host',
  port: 'port',
  token: 'token',
  name: 'name',
  url: 'url',
  redis: 'REDIS_URL',
  keyPrefix: 'REDIS_KEY_PREFIX',
  heartbeatMs: 'HEARTBEAT_MS',
  lookaheadEvents: 'lookaheadEvents',
  horizonEvents: 'horizonEvents',
  scanRetentionMs: 'scanRetentionMs',
  stallWarnMs: 'stallWarnMs',
  stallTimeoutMs: 'stallTimeoutMs',
  eventAttempts: 'eventAttempts',
} as const satisfies FlagTargets<typeof ControllerEnvSpec, Exclude<keyof ControllerFlags, 'p'>>

/**
 * The env the controller's config is read from (pure): `env` with Dranspose's names translated,
 * the flags laid over it (a flag wins over its variable; `--port` over the deprecated `-p`).
 */
export function controllerEnvFromFlags(
  flags: ControllerFlags,
  env: FlatEnv,
): Record<string, string | undefined> {
  const { port } = portFlag(flags)
  return layFlags(applyDransposeEnv(env, 'controller'), ControllerEnvSpec, CONTROLLER_FLAGS, {
    ...flags,
    port,
  })
}

/**
 * `beamloom controller`: run the controller (HTTP API, scans, parameters) through `runRole`
 * until SIGTERM/SIGINT (the first drains, a second one or 10 s forces); without `REDIS_URL` on
 * an in-memory control plane. Flags override the env ({@link controllerEnvFromFlags}). Bad
 * config throws a `BeamloomError` (exit 2); a controller that ends with an error sets exit
 * code 1.
 */
export function controllerCommand(version?: string): Command {
  return new Command('controller')
    .description('run the controller: HTTP API for trigger maps, scans, parameters and logs')
    .option('--host <host>', 'listen address (env CONTROLLER_HOST; default 127.0.0.1)')
    .option('--port <port>', 'HTTP port (env CONTROLLER_PORT; default 5000)', port)
    .addOption(deprecatedPortOption())
    .option(
      '--token <token>',
      'bearer token every request but health, progress, metrics, docs and the status page needs (env CONTROLLER_TOKEN)',
    )
    .option('--name <name>', 'registry name (env CONTROLLER_NAME; default controller)')
    .option('--url <url>', 'URL published in the registry (env CONTROLLER_URL)')
    .option('--redis <url>', 'control plane, redis://host:6379 (env REDIS_URL)')
    .option('--key-prefix <prefix>', 'control-plane key prefix (env REDIS_KEY_PREFIX)')
    .option(
      '--heartbeat-ms <ms>',
      'registry heartbeat (env HEARTBEAT_MS; default 1000)',
      positiveInt,
    )
    .option(
      '--lookahead-events <n>',
      'assigner look-ahead (env CONTROLLER_LOOKAHEAD_EVENTS)',
      positiveInt,
    )
    .option('--horizon-events <n>', 'assigner horizon (env CONTROLLER_HORIZON_EVENTS)', positiveInt)
    .option(
      '--scan-retention-ms <ms>',
      'keep ended scans this long (env CONTROLLER_SCAN_RETENTION_MS)',
      positiveInt,
    )
    .option(
      '--stall-warn-ms <ms>',
      'report a scan without progress this long, with what it waits for (env CONTROLLER_STALL_WARN_MS; default 30000)',
      positiveInt,
    )
    .option(
      '--stall-timeout-ms <ms>',
      'fail a scan without progress this long (env CONTROLLER_STALL_TIMEOUT_MS; default 0: never)',
      positiveInt,
    )
    .option(
      '--event-attempts <n>',
      'workers an event may time out or crash on before it fails for good (env CONTROLLER_EVENT_ATTEMPTS; default 2)',
      positiveInt,
    )
    .addOption(logLevelOption('controller'))
    .addOption(logFormatOption())
    .action(async (opts: ControllerFlags & LogFlags) => {
      const { notes } = portFlag(opts)
      const config = parseControllerEnv(controllerEnvFromFlags(opts, process.env))
      const logger = roleLogger(logConfigOf(opts, 'controller'), `controller ${config.name}`, {
        notes,
      })
      process.exitCode = await runRole({
        role: 'controller',
        name: config.name,
        logger,
        controlPlane: config.controlPlane,
        withoutRedis: 'memory',
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        make: (plane) => new ControllerServer(config, plane, logger, version),
      })
    })
}
