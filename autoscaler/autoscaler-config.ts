import { z } from 'zod'
import { envNames, parseRoleEnv, type RoleEnvSpec } from '../src/internal.js'

const positiveInt = z.int().positive()
const nonNegativeInt = z.int().nonnegative()

/** The autoscaler's settings, typed, with their defaults (read by {@link AutoscalerEnvSpec}). */
export const AutoscalerSettings = z
  .strictObject({
    controllerUrl: z.url({ error: 'required: the controller URL, http://host:port' }),
    controllerToken: z.string().min(1).optional(),
    deployment: z.string().min(1),
    namespace: z.string().min(1).optional(),
    minReplicas: nonNegativeInt.default(1),
    maxReplicas: positiveInt.default(8),
    targetDrainSeconds: z.number().positive().default(30),
    minGain: z.number().nonnegative().default(0.1),
    idleMs: nonNegativeInt.default(120_000),
    cooldownMs: nonNegativeInt.default(60_000),
    maxStepUp: positiveInt.default(4),
    maxStepDown: positiveInt.default(1),
    pollMs: positiveInt.default(2_000),
    rateWindowS: positiveInt.max(300).default(10),
    requestTimeoutMs: positiveInt.default(5_000),
    port: z.int().min(0).max(65_535).default(5_020),
  })
  .refine((s) => s.minReplicas <= s.maxReplicas, {
    message: 'AUTOSCALER_MIN_REPLICAS must not exceed AUTOSCALER_MAX_REPLICAS',
    path: ['minReplicas'],
  })
  .transform((s) => ({
    controllerUrl: s.controllerUrl.replace(/\/+$/, ''),
    controllerToken: s.controllerToken,
    deployment: s.deployment,
    namespace: s.namespace,
    policy: {
      minReplicas: s.minReplicas,
      maxReplicas: s.maxReplicas,
      targetDrainSeconds: s.targetDrainSeconds,
      minGain: s.minGain,
      idleMs: s.idleMs,
      coolDownMs: s.cooldownMs,
      maxStepUp: s.maxStepUp,
      maxStepDown: s.maxStepDown,
    },
    pollMs: s.pollMs,
    rateWindowSeconds: s.rateWindowS,
    requestTimeoutMs: s.requestTimeoutMs,
    port: s.port,
  }))

/**
 * The autoscaler's env (`AUTOSCALER_` and the option in UPPER_SNAKE case, see `envName`; it
 * needs no control plane: it reads the controller over HTTP and writes
 * the Kubernetes API):
 * - `AUTOSCALER_CONTROLLER_URL` — the controller's HTTP API (required, e.g. `http://beamloom-controller:5000`);
 * - `AUTOSCALER_CONTROLLER_TOKEN` — the controller's bearer token (`CONTROLLER_TOKEN`): its
 *   status and load need it when it has one;
 * - `AUTOSCALER_DEPLOYMENT` — the worker Deployment it scales (required);
 * - `AUTOSCALER_NAMESPACE` — its namespace (default: the pod's own, from the service account);
 * - `AUTOSCALER_MIN_REPLICAS` / `AUTOSCALER_MAX_REPLICAS` — bounds (default 1 and 8);
 * - `AUTOSCALER_TARGET_DRAIN_SECONDS` — scale up while the scan's remaining events would take
 *   longer than this at the current rate (default 30);
 * - `AUTOSCALER_MIN_GAIN` — a further scale-up in the same scan needs the rate to have grown by
 *   this fraction since the last one (default 0.1; otherwise workers are not the bottleneck);
 * - `AUTOSCALER_IDLE_MS` — scale down after this long without work (default 120 000);
 * - `AUTOSCALER_COOLDOWN_MS` — at least this long between two changes (default 60 000);
 * - `AUTOSCALER_MAX_STEP_UP` / `AUTOSCALER_MAX_STEP_DOWN` — replicas added or removed at most per
 *   change (default 4 and 1);
 * - `AUTOSCALER_POLL_MS` — how often it reads the controller (default 2 000);
 * - `AUTOSCALER_RATE_WINDOW_S` — the load interval the rate is read over (default 10 s);
 * - `AUTOSCALER_REQUEST_TIMEOUT_MS` — timeout of each HTTP request (default 5 000);
 * - `AUTOSCALER_PORT` — `/health/live`, `/health/ready`, `/metrics` (default 5020; 0 = any).
 *
 * Its log level is `LOG_LEVEL`, as for every command (`parseLogEnv`).
 */
export const AutoscalerEnvSpec = {
  role: 'autoscaler',
  prefix: 'AUTOSCALER',
  schema: AutoscalerSettings,
  controlPlane: false,
  settings: {
    controllerUrl: { required: 'required: the controller URL, http://host:port' },
    controllerToken: {},
    deployment: { required: 'required: the worker Deployment' },
    namespace: {},
    minReplicas: {},
    maxReplicas: {},
    targetDrainSeconds: {},
    minGain: {},
    idleMs: {},
    cooldownMs: {},
    maxStepUp: {},
    maxStepDown: {},
    pollMs: {},
    rateWindowS: {},
    requestTimeoutMs: {},
    port: {},
  },
} as const satisfies RoleEnvSpec<typeof AutoscalerSettings>

/** Typed autoscaler config, defaults applied. */
export type AutoscalerConfig = z.output<typeof AutoscalerSettings>

/** The names of the env variables the autoscaler reads (the chart sets only these). */
export const AUTOSCALER_ENV_NAMES: readonly string[] = envNames(AutoscalerEnvSpec)

/**
 * Read the autoscaler's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseAutoscalerEnv(
  env: Readonly<Record<string, string | undefined>>,
): AutoscalerConfig {
  return parseRoleEnv(env, AutoscalerEnvSpec).config
}
