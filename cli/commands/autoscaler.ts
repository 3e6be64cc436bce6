import { KubeConfig } from '@kubernetes/client-node'
import { Command } from 'commander'
import {
  AutoscalerEnvSpec,
  createAutoscaler,
  parseAutoscalerEnv,
  resolveNamespace,
} from '../../autoscaler/index.js'
import {
  ConfigError,
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

/** A stop needs no draining: the poll in flight is abandoned. */
const DRAIN_TIMEOUT_MS = 5_000

/** Command-line flags of `beamloom autoscaler` (each overrides its env variable). */
export interface AutoscalerFlags {
  controller?: string
  deployment?: string
  namespace?: string
  min?: string
  max?: string
  port?: number
  /** The deprecated short form of `--port`. */
  p?: number
}

/**
 * Which of the autoscaler's settings each flag sets; the variable it overrides is the one
 * `AutoscalerEnvSpec` reads (`layFlags`).
 */
export const AUTOSCALER_FLAGS = {
  controller: 'controllerUrl',
  deployment: 'deployment',
  namespace: 'namespace',
  min: 'minReplicas',
  max: 'maxReplicas',
  port: 'port',
} as const satisfies FlagTargets<typeof AutoscalerEnvSpec, Exclude<keyof AutoscalerFlags, 'p'>>

/**
 * The env the autoscaler's config is read from (pure): `env` with the flags laid over it (a flag
 * wins over its variable; `--port` over the deprecated `-p`). Dranspose has no autoscaler, so
 * no names are translated.
 */
export function autoscalerEnvFromFlags(
  flags: AutoscalerFlags,
  env: FlatEnv,
): Record<string, string | undefined> {
  const { port } = portFlag(flags)
  return layFlags(env, AutoscalerEnvSpec, AUTOSCALER_FLAGS, { ...flags, port })
}

/** The Kubernetes client config: in a pod its service account, else `KUBECONFIG` or ~/.kube. */
function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig()
  try {
    kc.loadFromDefault()
  } catch (cause) {
    throw new ConfigError('cannot load a Kubernetes config (in-cluster or KUBECONFIG)', { cause })
  }
  if (kc.getCurrentCluster() === null) {
    throw new ConfigError('no Kubernetes cluster configured: run in a pod or set KUBECONFIG')
  }
  return kc
}

/**
 * `beamloom autoscaler`: scale one worker Deployment from the controller's load, through
 * `runRole` (no control plane) until SIGTERM/SIGINT. Flags override the env
 * ({@link autoscalerEnvFromFlags}; `AUTOSCALER_*`, see `AutoscalerEnvSpec`). Bad config throws a
 * `BeamloomError` (exit 2).
 */
export function autoscalerCommand(): Command {
  return new Command('autoscaler')
    .description(
      "scale a worker Deployment on Kubernetes from the controller's load and backlog (env AUTOSCALER_*)",
    )
    .option('--controller <url>', 'controller HTTP API (AUTOSCALER_CONTROLLER_URL)')
    .option('--deployment <name>', 'worker Deployment to scale (AUTOSCALER_DEPLOYMENT)')
    .option('--namespace <ns>', "its namespace (AUTOSCALER_NAMESPACE; default the pod's)")
    .option('--min <n>', 'fewest replicas (AUTOSCALER_MIN_REPLICAS; default 1)')
    .option('--max <n>', 'most replicas (AUTOSCALER_MAX_REPLICAS; default 8)')
    .option('--port <port>', 'health and metrics port (AUTOSCALER_PORT; default 5020)', port)
    .addOption(deprecatedPortOption())
    .addOption(logLevelOption('autoscaler'))
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nAlso read from env: AUTOSCALER_TARGET_DRAIN_SECONDS, AUTOSCALER_MIN_GAIN, AUTOSCALER_IDLE_MS,\nAUTOSCALER_COOLDOWN_MS, AUTOSCALER_MAX_STEP_UP, AUTOSCALER_MAX_STEP_DOWN, AUTOSCALER_POLL_MS,\nAUTOSCALER_RATE_WINDOW_S, AUTOSCALER_REQUEST_TIMEOUT_MS. See docs/deployment.md.',
    )
    .action(async (flags: AutoscalerFlags & LogFlags) => {
      const { notes } = portFlag(flags)
      const config = parseAutoscalerEnv(autoscalerEnvFromFlags(flags, process.env))
      const kubeConfig = loadKubeConfig()
      const namespace = resolveNamespace(config.namespace, kubeConfig)
      const logger = roleLogger(
        logConfigOf(flags, 'autoscaler'),
        `autoscaler ${config.deployment}`,
        {
          notes,
        },
      )
      const service = createAutoscaler(
        { ...config, namespace },
        {
          kubeConfig,
          logger: { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m) },
        },
      )
      process.exitCode = await runRole({
        role: 'autoscaler',
        name: config.deployment,
        logger,
        controlPlane: 'none',
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
        make: () => service,
        onRunning: () => logger.info({ port: service.port, namespace }, 'autoscaler running'),
      })
    })
}
