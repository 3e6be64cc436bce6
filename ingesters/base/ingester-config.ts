import { z } from 'zod'
import {
  ConfigError,
  CurveKeys,
  DEFAULT_HEARTBEAT_MS,
  parseDataPlaneEnv,
  StreamName,
} from '../../src/internal.js'

const GIB = 1024 * 1024 * 1024

/**
 * Typed config of an ingester (what {@link createIngester} takes). Defaults live here only.
 * Build it from env with {@link parseIngesterEnv}, or with `IngesterConfig.parse({...})`.
 */
export const IngesterConfig = z.strictObject({
  /** Registry name; default `<streams joined by _>-ingester` (Dranspose's default). */
  name: z.string().min(1).optional(),
  /** Streams this ingester serves. */
  streams: z.array(StreamName).min(1),
  /** ROUTER bind address; port `*` = ephemeral, read back after binding. */
  bind: z.string().min(1).default('tcp://127.0.0.1:*'),
  /** Host workers connect to when `bind` is a wildcard (`*`, `0.0.0.0`); default: hostname. */
  advertiseHost: z.string().min(1).optional(),
  /** Bytes of forwarded frames kept until complete; reading upstream pauses above it. */
  bufferBytes: z
    .number()
    .int()
    .positive()
    .default(GIB / 2),
  /** Directory recordings are confined to; without it only `dumpPath`-less scans run. */
  dumpDir: z.string().min(1).optional(),
  /** Record every scan to this file (relative to `dumpDir`, appended, Dranspose's `dump_path`). */
  dumpPath: z.string().min(1).optional(),
  /** How long a worker named by a route may stay unconnected before a warning, in ms. */
  helloTimeoutMs: z.number().int().positive().default(5_000),
  /** Events per batch to one worker. */
  batchEvents: z.number().int().positive().default(64),
  /** Frame bytes per batch to one worker. */
  batchBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** Registry heartbeat period, ms. */
  heartbeatMs: z.number().int().positive().default(DEFAULT_HEARTBEAT_MS),
  /** Serve `/metrics`, `/health/live`, `/health/ready` on this port (0: any free; unset: off). */
  metricsPort: z.number().int().min(0).max(65_535).optional(),
  /** Address the metrics server listens on. */
  metricsHost: z
    .string()
    .min(1)
    .default(
      '0.0.0.0',
    ) /** The deployment's CURVE key pair (`DATA_PLANE_KEY_FILE`); unset: plain TCP data plane. */,
  curve: CurveKeys.optional(),
})
/** Typed ingester config (defaults applied). */
export type IngesterConfig = z.output<typeof IngesterConfig>
/** What {@link IngesterConfig} accepts (defaults optional). */
export type IngesterConfigInput = z.input<typeof IngesterConfig>

/** The registry name of an ingester: configured, or derived from its streams. */
export function ingesterName(config: IngesterConfig): string {
  return config.name ?? `${config.streams.join('_')}-ingester`
}

const optionalInt = z.coerce.number().int().positive().optional()

/**
 * The ingester's env (flat strings). `INGESTER_STREAMS` is a comma list (`eiger` or
 * `pcap1,pcap2`); `INGESTER_UPSTREAM_URL` is the device address for device ingesters.
 */
export const IngesterEnv = z
  .object({
    INGESTER_NAME: z.string().min(1).optional(),
    INGESTER_STREAMS: z.string().min(1),
    INGESTER_UPSTREAM_URL: z.string().min(1).optional(),
    INGESTER_BIND: z.string().min(1).optional(),
    INGESTER_ADVERTISE_HOST: z.string().min(1).optional(),
    INGESTER_BUFFER_BYTES: optionalInt,
    INGESTER_DUMP_DIR: z.string().min(1).optional(),
    INGESTER_DUMP_PATH: z.string().min(1).optional(),
    INGESTER_HELLO_TIMEOUT_MS: optionalInt,
    INGESTER_METRICS_PORT: z.coerce.number().int().nonnegative().optional(),
    HEARTBEAT_MS: optionalInt,
  })
  // Unset variables are left out, so the typed schema below applies its defaults.
  .transform((env): unknown => ({
    upstreamUrl: env.INGESTER_UPSTREAM_URL,
    config: dropUndefined({
      name: env.INGESTER_NAME,
      streams: env.INGESTER_STREAMS.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      bind: env.INGESTER_BIND,
      advertiseHost: env.INGESTER_ADVERTISE_HOST,
      bufferBytes: env.INGESTER_BUFFER_BYTES,
      dumpDir: env.INGESTER_DUMP_DIR,
      dumpPath: env.INGESTER_DUMP_PATH,
      helloTimeoutMs: env.INGESTER_HELLO_TIMEOUT_MS,
      metricsPort: env.INGESTER_METRICS_PORT,
      heartbeatMs: env.HEARTBEAT_MS,
    }),
  }))
  .pipe(z.object({ upstreamUrl: z.string().optional(), config: IngesterConfig }))

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
}

/** What {@link parseIngesterEnv} returns. */
export interface IngesterEnvConfig {
  readonly config: IngesterConfig
  /** `INGESTER_UPSTREAM_URL`, when set. */
  readonly upstreamUrl: string | undefined
}

/**
 * Read the ingester's config from a flat env (pure; pass `process.env` in a main). The shared
 * control-plane variables are read by `parseControlPlaneEnv`.
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseIngesterEnv(
  env: Readonly<Record<string, string | undefined>>,
): IngesterEnvConfig {
  const parsed = IngesterEnv.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid ingester config: ${issues}`)
  }
  return {
    config: { ...parsed.data.config, ...parseDataPlaneEnv(env) },
    upstreamUrl: parsed.data.upstreamUrl,
  }
}
