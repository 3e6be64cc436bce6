import { z } from 'zod'
import { ConfigError } from '../src/internal.js'

const positiveInt = z.coerce.number().int().positive()
const nonNegativeInt = z.coerce.number().int().nonnegative()

/**
 * The autoscaler's env (it needs no control plane: it reads the controller over HTTP and writes
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
export const AutoscalerEnv = z
  .object({
    AUTOSCALER_CONTROLLER_URL: z.url({ error: 'required: the controller URL, http://host:port' }),
    AUTOSCALER_CONTROLLER_TOKEN: z.string().min(1).optional(),
    AUTOSCALER_DEPLOYMENT: z.string({ error: 'required: the worker Deployment' }).min(1),
    AUTOSCALER_NAMESPACE: z.string().min(1).optional(),
    AUTOSCALER_MIN_REPLICAS: nonNegativeInt.default(1),
    AUTOSCALER_MAX_REPLICAS: positiveInt.default(8),
    AUTOSCALER_TARGET_DRAIN_SECONDS: z.coerce.number().positive().default(30),
    AUTOSCALER_MIN_GAIN: z.coerce.number().nonnegative().default(0.1),
    AUTOSCALER_IDLE_MS: nonNegativeInt.default(120_000),
    AUTOSCALER_COOLDOWN_MS: nonNegativeInt.default(60_000),
    AUTOSCALER_MAX_STEP_UP: positiveInt.default(4),
    AUTOSCALER_MAX_STEP_DOWN: positiveInt.default(1),
    AUTOSCALER_POLL_MS: positiveInt.default(2_000),
    AUTOSCALER_RATE_WINDOW_S: positiveInt.max(300).default(10),
    AUTOSCALER_REQUEST_TIMEOUT_MS: positiveInt.default(5_000),
    AUTOSCALER_PORT: z.coerce.number().int().min(0).max(65_535).default(5_020),
  })
  .refine((env) => env.AUTOSCALER_MIN_REPLICAS <= env.AUTOSCALER_MAX_REPLICAS, {
    message: 'AUTOSCALER_MIN_REPLICAS must not exceed AUTOSCALER_MAX_REPLICAS',
    path: ['AUTOSCALER_MIN_REPLICAS'],
  })
  .transform((env) => ({
    controllerUrl: env.AUTOSCALER_CONTROLLER_URL.replace(/\/+$/, ''),
    controllerToken: env.AUTOSCALER_CONTROLLER_TOKEN,
    deployment: env.AUTOSCALER_DEPLOYMENT,
    namespace: env.AUTOSCALER_NAMESPACE,
    policy: {
      minReplicas: env.AUTOSCALER_MIN_REPLICAS,
      maxReplicas: env.AUTOSCALER_MAX_REPLICAS,
      targetDrainSeconds: env.AUTOSCALER_TARGET_DRAIN_SECONDS,
      minGain: env.AUTOSCALER_MIN_GAIN,
      idleMs: env.AUTOSCALER_IDLE_MS,
      coolDownMs: env.AUTOSCALER_COOLDOWN_MS,
      maxStepUp: env.AUTOSCALER_MAX_STEP_UP,
      maxStepDown: env.AUTOSCALER_MAX_STEP_DOWN,
    },
    pollMs: env.AUTOSCALER_POLL_MS,
    rateWindowSeconds: env.AUTOSCALER_RATE_WINDOW_S,
    requestTimeoutMs: env.AUTOSCALER_REQUEST_TIMEOUT_MS,
    port: env.AUTOSCALER_PORT,
  }))

/** Typed autoscaler config, defaults applied. */
export type AutoscalerConfig = z.output<typeof AutoscalerEnv>

/** The names of the env variables the autoscaler reads (the chart sets only these). */
export const AUTOSCALER_ENV_NAMES: readonly string[] = Object.keys(AutoscalerEnv.in.shape)

/**
 * Read the autoscaler's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseAutoscalerEnv(
  env: Readonly<Record<string, string | undefined>>,
): AutoscalerConfig {
  const parsed = AutoscalerEnv.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid autoscaler config: ${issues}`)
  }
  return parsed.data
}
