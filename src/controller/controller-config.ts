import { z } from 'zod'
import { type ControlPlaneConfig, parseControlPlaneEnv } from '../config/control-plane-env.js'
import { ConfigError } from '../errors.js'
import { DEFAULT_SCAN_LIMITS } from './scan-limits.js'

const positiveInt = z.coerce.number().int().positive()
const flag = z
  .enum(['true', 'false', '1', '0'])
  .default('false')
  .transform((v) => v === 'true' || v === '1')

/**
 * The controller's own env (the shared control-plane env is read by `parseControlPlaneEnv`):
 * - `CONTROLLER_HOST` / `CONTROLLER_PORT` — where the HTTP API listens (default
 *   `127.0.0.1:5000`: loopback; a non-loopback host without a token is warned about at start);
 * - `CONTROLLER_TOKEN` — bearer token every request but the public ones (health, progress,
 *   metrics, docs, the status page's files) must carry (unset: no check);
 * - `CONTROLLER_BODY_LIMIT_BYTES` — largest JSON body (maps, sequences; default 16 MiB);
 * - `CONTROLLER_PARAMETER_LIMIT_BYTES` — largest parameter value (default 16 MiB);
 * - `CONTROLLER_MAX_EVENTS` / `CONTROLLER_MAX_MAP_EVENTS` / `CONTROLLER_MAX_SEQUENCE_LENGTH` —
 *   largest scan, map (or part) and sequence list ({@link DEFAULT_SCAN_LIMITS}); Sardana's
 *   `nb_points` counts against `CONTROLLER_MAX_EVENTS`;
 * - `CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS` — store values of parameters no live process
 *   describes (default false: refused with 400);
 * - `CONTROLLER_MAX_LOG_STREAMS` — most `/api/v1/log_stream` clients at once (default 32);
 * - `CONTROLLER_NAME` — its name in the process registry (default `controller`);
 * - `CONTROLLER_URL` — the URL it publishes in the registry (default from host and port);
 * - `CONTROLLER_LOOKAHEAD_EVENTS` / `CONTROLLER_HORIZON_EVENTS` — assigner window (100 000 each);
 * - `CONTROLLER_SCAN_RETENTION_MS` — how long an ended scan's keys are kept (default 24 h);
 * - `CONTROLLER_STALL_WARN_MS` — a scan without progress this long is reported, with what it
 *   waits for, in `/progress`, `/status` and the log at WARNING (default 30 s);
 * - `CONTROLLER_STALL_TIMEOUT_MS` — a scan without progress this long ends `failed` (default 0:
 *   never);
 * - `CONTROLLER_EVENT_ATTEMPTS` — an event whose analysis overran its time limit or crashed on
 *   this many workers is failed for good (default 2).
 *
 * Its log level is `LOG_LEVEL`, as for every command (`parseLogEnv`).
 */
export const ControllerEnv = z
  .object({
    CONTROLLER_HOST: z.string().min(1).default('127.0.0.1'),
    CONTROLLER_PORT: z.coerce.number().int().min(0).max(65_535).default(5_000),
    CONTROLLER_TOKEN: z.string().min(1).optional(),
    CONTROLLER_NAME: z.string().min(1).default('controller'),
    CONTROLLER_URL: z.url().optional(),
    CONTROLLER_LOOKAHEAD_EVENTS: positiveInt.default(100_000),
    CONTROLLER_HORIZON_EVENTS: positiveInt.default(100_000),
    CONTROLLER_SCAN_RETENTION_MS: positiveInt.default(86_400_000),
    CONTROLLER_STALL_WARN_MS: positiveInt.default(30_000),
    CONTROLLER_STALL_TIMEOUT_MS: z.coerce.number().int().nonnegative().default(0),
    CONTROLLER_EVENT_ATTEMPTS: positiveInt.default(2),
    CONTROLLER_BODY_LIMIT_BYTES: positiveInt.default(16 * 1024 * 1024),
    CONTROLLER_PARAMETER_LIMIT_BYTES: positiveInt.default(16 * 1024 * 1024),
    CONTROLLER_MAX_EVENTS: positiveInt.max(2 ** 31 - 1).default(DEFAULT_SCAN_LIMITS.maxEvents),
    CONTROLLER_MAX_MAP_EVENTS: positiveInt.default(DEFAULT_SCAN_LIMITS.maxMapEvents),
    CONTROLLER_MAX_SEQUENCE_LENGTH: positiveInt.default(DEFAULT_SCAN_LIMITS.maxSequenceLength),
    CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS: flag,
    CONTROLLER_MAX_LOG_STREAMS: positiveInt.default(32),
  })
  .transform((env) => ({
    host: env.CONTROLLER_HOST,
    port: env.CONTROLLER_PORT,
    token: env.CONTROLLER_TOKEN,
    name: env.CONTROLLER_NAME,
    url: env.CONTROLLER_URL,
    lookaheadEvents: env.CONTROLLER_LOOKAHEAD_EVENTS,
    horizonEvents: env.CONTROLLER_HORIZON_EVENTS,
    scanRetentionMs: env.CONTROLLER_SCAN_RETENTION_MS,
    stallWarnMs: env.CONTROLLER_STALL_WARN_MS,
    stallTimeoutMs: env.CONTROLLER_STALL_TIMEOUT_MS,
    eventAttempts: env.CONTROLLER_EVENT_ATTEMPTS,
    bodyLimitBytes: env.CONTROLLER_BODY_LIMIT_BYTES,
    parameterBodyLimitBytes: env.CONTROLLER_PARAMETER_LIMIT_BYTES,
    limits: {
      maxEvents: env.CONTROLLER_MAX_EVENTS,
      maxMapEvents: env.CONTROLLER_MAX_MAP_EVENTS,
      maxSequenceLength: env.CONTROLLER_MAX_SEQUENCE_LENGTH,
    },
    allowUndescribedParameters: env.CONTROLLER_ALLOW_UNDESCRIBED_PARAMETERS,
    maxLogStreams: env.CONTROLLER_MAX_LOG_STREAMS,
  }))

/** Typed controller config: its own settings plus the control plane's. */
export type ControllerConfig = z.output<typeof ControllerEnv> & {
  readonly controlPlane: ControlPlaneConfig
}

/**
 * Read the controller's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable (never echoing the token).
 */
export function parseControllerEnv(
  env: Readonly<Record<string, string | undefined>>,
): ControllerConfig {
  const parsed = ControllerEnv.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid controller config: ${issues}`)
  }
  return { ...parsed.data, controlPlane: parseControlPlaneEnv(env) }
}
