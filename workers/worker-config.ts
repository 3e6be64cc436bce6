import { hostname } from 'node:os'
import { z } from 'zod'
import {
  type ControlPlaneConfig,
  CurveKeys,
  DEFAULT_HEARTBEAT_MS,
  parseConfig,
  parseRoleEnv,
  type RoleEnvSpec,
} from '../src/internal.js'

/** The worker's default name: host and process id, unique on one machine. */
function defaultName(): string {
  return `${hostname()}-${process.pid}`
}

/**
 * What {@link createWorker} takes, validated once; every default lives here.
 *
 * - `name`: the worker's identity in the registry and its zmq routing id (1–255 bytes).
 * - `tags`: its capabilities; virtual workers of a trigger map select workers by tag.
 * - `workerModule`: the analysis class, `path/to/file.ts:ExportName` or `path/to/module.py:Class`.
 * - `windowEvents`: events it asks for at the start of a scan; it asks for more each time half
 *   of them are finished.
 * - `maxWindowEvents`: the window doubles, up to this, each time half of it was finished within
 *   50 ms of the previous request (a fast analysis is not left waiting for credits; a slow one
 *   keeps the small window). Set it to `windowEvents` for a fixed window.
 * - `flushItems` / `flushIdleMs`: a result batch leaves at this many items, or when the worker
 *   has had nothing to process for this many milliseconds (0: as soon as nothing is ready).
 * - `closeFlushMs`: how long ending a scan waits to hand the last results to the reducer
 *   (default 10 s); longer, they are left (a WARNING says so) and the worker goes on.
 * - `maxKeptBytes`: result bytes kept until the reducer makes them durable (they are sent again
 *   if the reducer restarts); above it the worker processes nothing more until it has caught up.
 * - `isolation`: where a TypeScript/JavaScript analysis runs: `thread` (default: a worker thread
 *   that the time limit and the memory cap can stop) or `inline` (the worker's own thread; no
 *   limit can stop a stuck call). Python modules (`.py`) always run in a Python process.
 * - `dataReceive`: how the links to the ingesters are read: `zmtp` (default: our own ZMTP,
 *   into memory reused once an event is over; zeromq.js when CURVE keys are configured) or
 *   `zeromq` (zeromq.js DEALERs, as before).
 * - `frameSlabBytes`: size of the blocks that memory for frames of 64 KiB or more is carved
 *   from (default 16 MiB, 64 KiB to 1 GiB); a larger frame gets memory of its own.
 * - `eventTimeoutMs`: longest `processEvent` call (default 60 s; 0: none). A call that
 *   overruns it is stopped, the analysis replaced, and the event handed to another worker.
 * - `memoryMiB`: memory cap of the analysis (default 4096 MiB; 0: none); treated the same way.
 * - `batchEvents`: ready events handed to the analysis in one call at most (default 64).
 * - `python`: the interpreter of Python analyses (default /usr/bin/python3).
 * - `heartbeatMs`: registry heartbeat period (gone after three missed beats).
 * - `cwd`: where a relative `workerModule` path is resolved (default: the process's).
 * - `metricsPort` / `metricsHost`: serve `/metrics`, `/health/live` and `/health/ready` on
 *   this port (0: any free one; unset: no server) and address (default all interfaces).
 * - `advertiseHost`: the host the metrics URL is registered with when `metricsHost` is a
 *   wildcard (default: the machine's name).
 */
export const WorkerConfig = z.strictObject({
  name: z
    .string()
    .min(1)
    .refine((n) => Buffer.byteLength(n) <= 255, 'at most 255 bytes (zmq routing id)')
    .default(defaultName),
  tags: z.array(z.string().min(1)).min(1).default(['generic']),
  workerModule: z.string().min(1),
  windowEvents: z.int().min(2).max(1_000_000).default(64),
  maxWindowEvents: z.int().min(2).max(1_000_000).default(2048),
  flushItems: z.int().positive().default(64),
  flushIdleMs: z.int().nonnegative().default(0),
  closeFlushMs: z.int().positive().default(10_000),
  maxKeptBytes: z
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  isolation: z.enum(['thread', 'inline']).default('thread'),
  dataReceive: z.enum(['zmtp', 'zeromq']).default('zmtp'),
  frameSlabBytes: z
    .int()
    .min(64 * 1024)
    .max(1024 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  eventTimeoutMs: z.int().nonnegative().default(60_000),
  memoryMiB: z.int().nonnegative().default(4096),
  batchEvents: z.int().positive().max(10_000).default(64),
  python: z.string().min(1).default('/usr/bin/python3'),
  heartbeatMs: z.int().positive().default(DEFAULT_HEARTBEAT_MS),
  cwd: z.string().optional(),
  metricsPort: z.int().min(0).max(65_535).optional(),
  metricsHost: z.string().min(1).default('0.0.0.0'),
  advertiseHost: z.string().min(1).optional(),
  /** The deployment's CURVE key pair (`DATA_PLANE_KEY_FILE`); unset: plain TCP data plane. */
  curve: CurveKeys.optional(),
})
/** Typed worker config, defaults applied. */
export type WorkerConfig = z.output<typeof WorkerConfig>
/** What callers pass to {@link createWorker} (defaults optional). */
export type WorkerConfigInput = z.input<typeof WorkerConfig>

/** A comma list (`a, b,c`) as trimmed names; an empty one is refused. */
const CommaList = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()))
  .pipe(z.array(z.string().min(1, 'empty tag in the list')).min(1))

/**
 * The worker process's env (`WORKER_` and the option in UPPER_SNAKE case, see `envName`): the
 * shared control-plane variables plus
 * - `WORKER_NAME` (default `hostname-pid`),
 * - `WORKER_TAGS` (comma list, default `generic`),
 * - `WORKER_MODULE` (required, `path/to/file.ts:ExportName` or `path/to/module.py:Class`;
 *   Dranspose's `WORKER_CLASS` too),
 * - `WORKER_WINDOW_EVENTS` (default 64), `WORKER_MAX_WINDOW_EVENTS` (default 2048),
 * - `WORKER_METRICS_PORT` (metrics and health server; unset: none, 0: any free port),
 * - `WORKER_ISOLATION` (`thread` or `inline`), `WORKER_DATA_RECEIVE` (`zmtp` or `zeromq`),
 *   `WORKER_FRAME_SLAB_BYTES`,
 *   `WORKER_EVENT_TIMEOUT_MS`, `WORKER_MEMORY_MIB`,
 *   `BEAMLOOM_PYTHON` (the Python interpreter), `WORKER_ADVERTISE_HOST`,
 * - `DATA_PLANE_KEY_FILE` (see `parseDataPlaneEnv`).
 */
export const WorkerEnvSpec = {
  role: 'worker',
  prefix: 'WORKER',
  schema: WorkerConfig,
  dataPlane: true,
  settings: {
    name: {},
    tags: { read: CommaList },
    workerModule: {
      env: 'WORKER_MODULE',
      aliases: ['WORKER_CLASS'],
      required: 'required (path/to/file.ts:ExportName)',
    },
    windowEvents: {},
    maxWindowEvents: {},
    metricsPort: {},
    isolation: {},
    dataReceive: {},
    frameSlabBytes: {},
    eventTimeoutMs: {},
    memoryMiB: {},
    python: { env: 'BEAMLOOM_PYTHON' },
    advertiseHost: {},
  },
} as const satisfies RoleEnvSpec<typeof WorkerConfig>

/** What {@link parseWorkerEnv} returns: the worker's and the control plane's config. */
export interface WorkerProcessConfig {
  readonly worker: WorkerConfig
  readonly controlPlane: ControlPlaneConfig
  /** Deprecation notes about the variables read, to log once the logger exists. */
  readonly notes: readonly string[]
}

/**
 * Read the worker process's config from a flat env (pure; pass `process.env` in a main).
 * @throws ConfigError `CONFIG_INVALID` naming each bad variable.
 */
export function parseWorkerEnv(
  env: Readonly<Record<string, string | undefined>>,
): WorkerProcessConfig {
  const { config, controlPlane, notes } = parseRoleEnv(env, WorkerEnvSpec, ({ heartbeatMs }) => ({
    heartbeatMs,
  }))
  return { worker: config, controlPlane, notes }
}

/**
 * Validate a {@link WorkerConfigInput} and apply defaults.
 * @throws ConfigError `CONFIG_INVALID` naming each bad field.
 */
export function parseWorkerConfig(input: WorkerConfigInput): WorkerConfig {
  return parseConfig(WorkerConfig, input, 'worker config')
}
