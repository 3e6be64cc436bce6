import { missingDataPathEnv, missingDataPathFlags } from '../config/data-path-flags.js'
import type { ControlPlane } from '../control/control-plane.js'
import { createMemoryControlPlane } from '../control/memory-control-plane.js'
import type { ProcessRole } from '../control/process-info.js'
import { createRoleControlPlane } from '../control/role-control-plane.js'
import { ConfigError, isBeamloomError } from '../errors.js'
import type { Logger } from './logger.js'
import { type RunEvent, runWithSignals, type SignalSource } from './run-with-signals.js'
import type { Service } from './service.js'
import { ServiceBase } from './service-base.js'

/** Where a role's control plane is, as every role's config gives it. */
export interface RoleControlPlaneConfig {
  readonly redisUrl?: string | undefined
  readonly keyPrefix: string
  readonly connectTimeoutMs?: number | undefined
}

/** What every role's {@link runRole} takes. */
interface RunRoleBase {
  /** The process's name (registry, logs). */
  readonly name: string
  readonly logger: Logger
  /** How long a graceful stop (first SIGTERM/SIGINT) may take before it is forced, ms. */
  readonly drainTimeoutMs: number
  /** Called once the role's service runs (a role's own "running" line). */
  readonly onRunning?: () => void
  /** Signals (tests); default `process`. */
  readonly source?: SignalSource
}

/** Options of {@link runRole} for a role on the shared control plane. */
export interface RunPlaneRoleOptions extends RunRoleBase {
  readonly role: ProcessRole
  readonly controlPlane: RoleControlPlaneConfig
  /**
   * Without `redisUrl`: `refuse` (a `CONFIG_INVALID` naming `howToSetRedis`) or `memory` (an
   * in-memory plane and a warning that no other process can reach this one).
   */
  readonly withoutRedis: 'refuse' | 'memory'
  /** What the refusal says to do, e.g. `set REDIS_URL or pass --redis <url>`. */
  readonly howToSetRedis?: string
  /** The role's service on the started plane (created, not started). */
  readonly make: (plane: ControlPlane) => Service
}

/** Options of {@link runRole} for a role that needs no control plane (the autoscaler). */
export interface RunPlanelessRoleOptions extends RunRoleBase {
  readonly role: 'autoscaler'
  readonly controlPlane: 'none'
  /** The role's service (created, not started). */
  readonly make: () => Service
}

/** Options of {@link runRole}. */
export type RunRoleOptions = RunPlaneRoleOptions | RunPlanelessRoleOptions

/** The errors that mean bad input (config, module): the CLI reports them and exits 2. */
function isBadInput(err: Error): boolean {
  return (
    isBeamloomError(err, 'CONFIG_INVALID') ||
    isBeamloomError(err, 'MODULE_INVALID') ||
    isBeamloomError(err, 'MODULE_NOT_FOUND')
  )
}

/**
 * One role process: its control plane, then the role's service, closed in reverse. A part
 * that ends by itself (with an error or not) ends the process.
 */
class RoleProcess extends ServiceBase {
  readonly #o: RunRoleOptions

  constructor(options: RunRoleOptions) {
    super(`${options.role} process '${options.name}'`)
    this.#o = options
  }

  protected override async onStart(): Promise<void> {
    const o = this.#o
    let service: Service
    if (o.controlPlane === 'none') {
      service = o.make()
    } else {
      const plane = planeOf(o)
      this.addCloseStep('control plane', () => plane.close())
      await plane.start()
      this.#endWith(plane)
      service = o.make(plane)
    }
    this.addCloseStep(o.role, ({ force }) => service.close({ force }))
    await service.start()
    this.#endWith(service)
  }

  #endWith(part: { closed: Promise<Error | undefined> }): void {
    void part.closed.then((err) => {
      if (this.state === 'running' || this.state === 'starting') {
        this.fail(err ?? new Error(`a part of the ${this.#o.role} process closed unexpectedly`))
      }
    })
  }
}

/** The role's control plane: Redis, or in memory where the role allows it. */
function planeOf(o: RunPlaneRoleOptions): ControlPlane {
  const { controlPlane: c, role, name, logger } = o
  if (c.redisUrl === undefined) {
    if (o.withoutRedis === 'refuse') {
      throw new ConfigError(
        `beamloom ${role} needs the shared control plane (Redis): ${o.howToSetRedis ?? 'set REDIS_URL'}`,
      )
    }
    logger.warn(
      { role },
      `no REDIS_URL: in-memory control plane, no other process can reach this ${role}`,
    )
    return createMemoryControlPlane({ keyPrefix: c.keyPrefix })
  }
  return createRoleControlPlane({
    url: c.redisUrl,
    keyPrefix: c.keyPrefix,
    role,
    name,
    logger,
    ...(c.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: c.connectTimeoutMs }),
  })
}

/**
 * Run a role as a process main, the same way for every role: control plane (Redis, or in
 * memory where the role allows it; none for the autoscaler), the role's service, signals (the first SIGTERM/SIGINT
 * drains, a second one or `drainTimeoutMs` forces), one log line per step. Resolves the exit
 * code (0 clean, 1 when the role ended with an error). Rejects with the error when it is bad
 * input (`CONFIG_INVALID`, `MODULE_INVALID`, `MODULE_NOT_FOUND`), so the CLI prints it and
 * exits 2.
 */
export async function runRole(options: RunRoleOptions): Promise<number> {
  const { logger, role } = options
  const outcome: { error?: Error | undefined } = {}
  const code = await runWithSignals(new RoleProcess(options), {
    drainTimeoutMs: options.drainTimeoutMs,
    ...(options.source === undefined ? {} : { source: options.source }),
    onEvent: (event: RunEvent) => {
      if (event.kind === 'closed') outcome.error = event.error
      else if (event.kind === 'draining') logger.info({ signal: event.signal }, `${role} stopping`)
      else if (event.kind === 'forcing') logger.warn({ reason: event.reason }, `${role} forced`)
      else {
        logger.info({}, `${role} ${event.kind}`)
        const missing = missingDataPathFlags(role, process.execArgv)
        if (missing.length > 0) {
          logger.info(
            { nodeFlags: missing },
            `node runs this ${role} without ${missing.join(' ')}: detector frames cost more CPU (docs/deployment.md, "Without Kubernetes")`,
          )
        }
        const missingEnv = missingDataPathEnv(role, process.env)
        if (missingEnv.length > 0) {
          logger.info(
            { env: missingEnv },
            `this ${role} runs without ${missingEnv.join(' ')} in its environment: detector frames cost more CPU (docs/deployment.md, "Without Kubernetes")`,
          )
        }
        options.onRunning?.()
      }
    },
  })
  const ended = outcome.error
  if (ended === undefined) return code
  if (isBadInput(ended)) throw ended
  logger.error({ err: ended.message }, `${role} ended with an error`)
  return code
}
