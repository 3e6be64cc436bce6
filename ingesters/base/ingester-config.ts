import { z } from 'zod'
import {
  type ControlPlaneConfig,
  CurveKeys,
  DEFAULT_HEARTBEAT_MS,
  EnvRead,
  parseRoleEnv,
  type RoleEnvSpec,
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
  /**
   * How zmq devices at a `tcp://` address are read: `zmtp`, the own ZMTP receiver into reused
   * frame memory (no allocation per frame); `zeromq`, a zeromq.js socket (the former path).
   * Other transports (`ipc://`, …) always use zeromq.js.
   */
  deviceReceive: z.enum(['zmtp', 'zeromq']).default('zmtp'),
  /**
   * Bytes per slab of that frame memory (`deviceReceive: zmtp`); a frame larger than a slab gets
   * memory of its own, allocated per frame. Default 16 MiB.
   */
  frameSlabBytes: z
    .number()
    .int()
    .min(4096)
    .default(16 * 1024 * 1024),
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

/** What the ingester's env gives: its config and the device's address. */
const IngesterSettings = z.strictObject({
  ...IngesterConfig.shape,
  upstreamUrl: z.string().min(1).optional(),
})

/**
 * The ingester's env (`INGESTER_` and the option in UPPER_SNAKE case, see `envName`): the
 * shared control-plane variables (`HEARTBEAT_MS` is the ingester's heartbeat) plus
 * `INGESTER_NAME`, `INGESTER_STREAMS` (required, a comma list: `eiger` or `pcap1,pcap2`),
 * `INGESTER_UPSTREAM_URL` (the device address of device ingesters; Dranspose's `UPSTREAM_URL`
 * too), `INGESTER_BIND`, `INGESTER_ADVERTISE_HOST`, `INGESTER_BUFFER_BYTES`,
 * `INGESTER_DUMP_DIR`, `INGESTER_DUMP_PATH`, `INGESTER_HELLO_TIMEOUT_MS`,
 * `INGESTER_DEVICE_RECEIVE`, `INGESTER_FRAME_SLAB_BYTES`, `INGESTER_METRICS_PORT` and
 * `DATA_PLANE_KEY_FILE` (see `parseDataPlaneEnv`).
 */
export const IngesterEnvSpec = {
  role: 'ingester',
  prefix: 'INGESTER',
  schema: IngesterSettings,
  dataPlane: true,
  settings: {
    name: {},
    streams: { read: EnvRead.list, required: 'required: the stream names, a comma list' },
    upstreamUrl: { aliases: ['UPSTREAM_URL'] },
    bind: {},
    advertiseHost: {},
    bufferBytes: {},
    dumpDir: {},
    dumpPath: {},
    helloTimeoutMs: {},
    deviceReceive: {},
    frameSlabBytes: {},
    metricsPort: {},
  },
} as const satisfies RoleEnvSpec<typeof IngesterSettings>

/** What {@link parseIngesterEnv} returns. */
export interface IngesterEnvConfig {
  readonly config: IngesterConfig
  /** `INGESTER_UPSTREAM_URL`, when set. */
  readonly upstreamUrl: string | undefined
  readonly controlPlane: ControlPlaneConfig
  /** Deprecation notes about the variables read, to log once the logger exists. */
  readonly notes: readonly string[]
}

/**
 * Read the ingester's config from a flat env (pure; pass `process.env` in a main), with the
 * shared control-plane variables.
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseIngesterEnv(
  env: Readonly<Record<string, string | undefined>>,
): IngesterEnvConfig {
  const parsed = parseRoleEnv(env, IngesterEnvSpec, ({ heartbeatMs }) => ({ heartbeatMs }))
  const { upstreamUrl, ...config } = parsed.config
  return { config, upstreamUrl, controlPlane: parsed.controlPlane, notes: parsed.notes }
}
