import { z } from 'zod'
import type { ControlPlaneConfig } from '../config/control-plane-env.js'
import { parseRoleEnv, type RoleEnvSpec } from '../config/role-env.js'
import { DEFAULT_SCAN_LIMITS } from './scan-limits.js'

const positiveInt = z.int().positive()

/** The controller's settings, typed, with their defaults (read by {@link ControllerEnvSpec}). */
export const ControllerSettings = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.int().min(0).max(65_535).default(5_000),
    token: z.string().min(1).optional(),
    name: z.string().min(1).default('controller'),
    url: z.url().optional(),
    lookaheadEvents: positiveInt.default(100_000),
    horizonEvents: positiveInt.default(100_000),
    scanRetentionMs: positiveInt.default(86_400_000),
    stallWarnMs: positiveInt.default(30_000),
    stallTimeoutMs: z.int().nonnegative().default(0),
    eventAttempts: positiveInt.default(2),
    bodyLimitBytes: positiveInt.default(16 * 1024 * 1024),
    parameterBodyLimitBytes: positiveInt.default(16 * 1024 * 1024),
    maxEvents: positiveInt.max(2 ** 31 - 1).default(DEFAULT_SCAN_LIMITS.maxEvents),
    maxMapEvents: positiveInt.default(DEFAULT_SCAN_LIMITS.maxMapEvents),
    maxSequenceLength: positiveInt.default(DEFAULT_SCAN_LIMITS.maxSequenceLength),
    allowUndescribedParameters: z.boolean().default(false),
    maxLogStreams: positiveInt.default(32),
  })
  .transform(({ maxEvents, maxMapEvents, maxSequenceLength, token, url, ...rest }) => ({
    ...rest,
    token,
    url,
    limits: { maxEvents, maxMapEvents, maxSequenceLength },
  }))

/**
 * The controller's own env (`CONTROLLER_` and the option in UPPER_SNAKE case, see `envName`;
 * the shared control-plane variables are read with it):
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
export const ControllerEnvSpec = {
  role: 'controller',
  prefix: 'CONTROLLER',
  schema: ControllerSettings,
  settings: {
    host: {},
    port: {},
    token: {},
    name: {},
    url: {},
    lookaheadEvents: {},
    horizonEvents: {},
    scanRetentionMs: {},
    stallWarnMs: {},
    stallTimeoutMs: {},
    eventAttempts: {},
    bodyLimitBytes: {},
    parameterBodyLimitBytes: { env: 'CONTROLLER_PARAMETER_LIMIT_BYTES' },
    maxEvents: {},
    maxMapEvents: {},
    maxSequenceLength: {},
    allowUndescribedParameters: {},
    maxLogStreams: {},
  },
} as const satisfies RoleEnvSpec<typeof ControllerSettings>

/**
 * The controller's settings schema under its former name: `ControllerEnv.parse({})` is the
 * config `beamloom controller` runs with when no `CONTROLLER_*` variable is set.
 */
export const ControllerEnv = ControllerSettings

/** Typed controller config: its own settings plus the control plane's. */
export type ControllerConfig = z.output<typeof ControllerSettings> & {
  readonly controlPlane: ControlPlaneConfig
}

/**
 * Read the controller's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable (never echoing the token).
 */
export function parseControllerEnv(
  env: Readonly<Record<string, string | undefined>>,
): ControllerConfig {
  const { config, controlPlane } = parseRoleEnv(env, ControllerEnvSpec)
  return { ...config, controlPlane }
}
