import { z } from 'zod'
import { CurveKeys, DEFAULT_HEARTBEAT_MS } from '../src/internal.js'

/** A web origin (`scheme://host[:port]`, no path), or `*` for any. */
export const CorsOrigin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'an origin such as https://h5web.example.org (no path), or *')

/**
 * What {@link createReducer} takes, validated once; the defaults live here only.
 *
 * - `name`: process name in the registry (one reducer per deployment: `reducer`).
 * - `reducerModule`: the user's class, `path/to/file.ts:ExportName` or `path/to/module.py:Class`.
 * - `bind`: the results PULL address; port `*` or `0` picks a free one (read it back from
 *   `reducer.endpoint`).
 * - `httpHost` / `httpPort`: where the HTTP API listens (`0`: a free port).
 * - `advertiseHost`: the host others reach this process by, used in the registered endpoint
 *   and URL when binding to a wildcard address (`0.0.0.0`, `*`); default the machine's name.
 * - `snapshotIntervalMs` / `snapshotIdleMs`: the reducer's state is saved (and what it reduced
 *   reported complete) at most once per `snapshotIntervalMs` while results flow (the interval
 *   grows to 20× what a snapshot costs), and `snapshotIdleMs` after the last batch of a burst.
 * - `minDedupCompactSize`: size of the exactly-once filter below which it never compacts.
 * - `heartbeatMs`: registry heartbeat period (gone after 3 missed beats).
 * - `updatesThrottleMs`: `/api/v1/updates` sends at most one update per this many ms.
 * - `callTimeoutMs`: longest `processResult` (per batch of calls that return at once) and `timer`
 *   call (default 60 s; 0: none). A call that overruns it is stopped, the analysis replaced
 *   and restored from its last snapshot, and that result failed with the reason.
 * - `memoryMiB`: memory cap of a Python reducer's process (default 0: none).
 * - `python`: the interpreter of Python reducers (default /usr/bin/python3).
 * - `h5Dir`: directory of the HDF5 files (`<scanId>.h5` at the end of each scan, others on
 *   `POST /api/v1/h5`); unset: no files. Created at start-up if missing.
 * - `token`: bearer token `POST /api/v1/h5` must carry; unset: no check.
 * - `corsOrigins`: web origins (`https://h5web.example.org`) whose pages may read the HTTP API
 *   (HDF5-REST, results, status, updates) from another origin, as a served h5web does; `['*']`:
 *   any origin. Default none: browsers keep cross-origin pages out.
 * - `maxUpdateClients`: most `/api/v1/updates` (server-sent events) clients at once (default
 *   64); one more is answered 503.
 * - `curve`: the deployment's CURVE key pair (`DATA_PLANE_KEY_FILE`): the results socket then
 *   admits only workers holding it. Unset: plain TCP.
 */
export const ReducerOptions = z.strictObject({
  name: z.string().min(1).default('reducer'),
  reducerModule: z.string().min(1),
  bind: z.string().min(1).default('tcp://127.0.0.1:*'),
  httpHost: z.string().min(1).default('127.0.0.1'),
  httpPort: z.int().min(0).max(65_535).default(5010),
  advertiseHost: z.string().min(1).optional(),
  snapshotIntervalMs: z.int().positive().default(200),
  snapshotIdleMs: z.int().positive().default(10),
  minDedupCompactSize: z.int().positive().default(4096),
  heartbeatMs: z.int().positive().default(DEFAULT_HEARTBEAT_MS),
  updatesThrottleMs: z.int().positive().default(200),
  callTimeoutMs: z.int().nonnegative().default(60_000),
  memoryMiB: z.int().nonnegative().default(0),
  python: z.string().min(1).default('/usr/bin/python3'),
  h5Dir: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  corsOrigins: z.array(CorsOrigin).default([]),
  maxUpdateClients: z.int().positive().default(64),
  curve: CurveKeys.optional(),
})
/** Typed reducer options, defaults applied. */
export type ReducerOptions = z.output<typeof ReducerOptions>
/** What callers pass (defaults optional). */
export type ReducerOptionsInput = z.input<typeof ReducerOptions>
