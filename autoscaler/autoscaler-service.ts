import type { KubeConfig } from '@kubernetes/client-node'
import { Counter, Gauge, Registry } from 'prom-client'
import {
  createMetricsServer,
  type MetricsServer,
  ServiceBase,
  sleep,
  toError,
} from '../src/internal.js'
import {
  decideReplicas,
  INITIAL_SCALER_MEMORY,
  type ScalePolicy,
  type ScalerMemory,
} from './decide-replicas.js'
import { DeploymentScale } from './deployment-scale.js'
import { readControllerLoad } from './read-controller-load.js'

/** The logger the autoscaler writes to (pino fits). */
export interface AutoscalerLogger {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
}

/** What {@link createAutoscaler} takes. */
export interface AutoscalerOptions {
  readonly controllerUrl: string
  /** The controller's bearer token, when it has one. */
  readonly controllerToken?: string | undefined
  readonly namespace: string
  readonly deployment: string
  readonly policy: ScalePolicy
  readonly pollMs: number
  readonly rateWindowSeconds: number
  readonly requestTimeoutMs: number
  /** Port of `/health/*` and `/metrics`; `undefined` serves none (tests). */
  readonly port: number | undefined
}

/** What {@link createAutoscaler} needs besides options. */
export interface AutoscalerDeps {
  readonly kubeConfig: KubeConfig
  readonly logger: AutoscalerLogger
  /** Clock, ms since the epoch (tests). */
  readonly now?: () => number
}

/**
 * The autoscaler role: every `pollMs` it reads the controller's load, decides a replica count
 * with {@link decideReplicas} and, when it differs, writes the worker Deployment's scale
 * subresource. A failed read or write (controller down, API error, timeout, 409 conflict) is
 * logged and counted and the next poll starts afresh: the memory (cool-down, idle time) only
 * records changes that were applied. Ready once a poll has fully succeeded.
 */
export class AutoscalerService extends ServiceBase {
  readonly #o: AutoscalerOptions
  readonly #deps: AutoscalerDeps
  readonly #scale: DeploymentScale
  readonly registry = new Registry()
  readonly #replicas = new Gauge({
    name: 'beamloom_autoscaler_replicas',
    help: 'Replicas of the worker Deployment as last read',
    registers: [this.registry],
  })
  readonly #changes = new Counter({
    name: 'beamloom_autoscaler_changes_total',
    help: 'Replica changes applied, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  })
  readonly #failures = new Counter({
    name: 'beamloom_autoscaler_failures_total',
    help: 'Polls that failed, by step (controller, read, write)',
    labelNames: ['step'],
    registers: [this.registry],
  })
  #memory: ScalerMemory = INITIAL_SCALER_MEMORY
  #healthy = false
  #server: MetricsServer | undefined

  constructor(options: AutoscalerOptions, deps: AutoscalerDeps) {
    super(`autoscaler of ${options.namespace}/${options.deployment}`)
    this.#o = options
    this.#deps = deps
    this.#scale = new DeploymentScale({
      kubeConfig: deps.kubeConfig,
      namespace: options.namespace,
      deployment: options.deployment,
      requestTimeoutMs: options.requestTimeoutMs,
    })
  }

  /** The port of the health and metrics server, once started (when one was asked for). */
  get port(): number | undefined {
    return this.#server?.port
  }

  protected override async onStart(): Promise<void> {
    if (this.#o.port !== undefined) {
      const server = createMetricsServer({
        registry: this.registry,
        port: this.#o.port,
        live: () => this.state === 'running' || this.state === 'starting',
        ready: () => this.state === 'running' && this.#healthy,
      })
      this.addCloseStep('health server', () => server.close())
      await server.start()
      this.#server = server
    }
    this.spawn('poll', (signal) => this.#pollLoop(signal))
  }

  async #pollLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#pollOnce(signal)
      await sleep(this.#o.pollMs, signal).catch(() => undefined)
    }
  }

  /** One poll: read, decide, maybe write. Never throws (failures are logged and counted). */
  async #pollOnce(signal: AbortSignal): Promise<void> {
    const { logger } = this.#deps
    let step: 'controller' | 'read' | 'write' = 'controller'
    try {
      const load = await readControllerLoad({
        controllerUrl: this.#o.controllerUrl,
        controllerToken: this.#o.controllerToken,
        rateWindowSeconds: this.#o.rateWindowSeconds,
        requestTimeoutMs: this.#o.requestTimeoutMs,
        signal,
        ...(this.#deps.now === undefined ? {} : { now: this.#deps.now }),
      })
      step = 'read'
      const reading = await this.#scale.read()
      this.#replicas.set(reading.replicas)
      const decision = decideReplicas(this.#o.policy, reading.replicas, load, this.#memory)
      if (decision.replicas !== reading.replicas) {
        step = 'write'
        await this.#scale.write(decision.replicas, reading)
        this.#replicas.set(decision.replicas)
        this.#changes.inc({ reason: decision.reason })
        logger.info(
          {
            from: reading.replicas,
            to: decision.replicas,
            reason: decision.reason,
            backlog: load.backlogEvents,
            rate: load.rateEventsPerSecond,
          },
          `scaled ${this.#scale.target}`,
        )
      }
      this.#memory = decision.memory
      this.#healthy = true
    } catch (err) {
      if (signal.aborted) return
      this.#healthy = false
      this.#failures.inc({ step })
      // A failed write leaves the memory as it was: no change was applied.
      logger.warn({ step, err: toError(err).message }, 'autoscaler poll failed; retrying')
    }
  }
}

/** Create (not start) an autoscaler. `close()` stops polling and the health server. */
export function createAutoscaler(
  options: AutoscalerOptions,
  deps: AutoscalerDeps,
): AutoscalerService {
  return new AutoscalerService(options, deps)
}
