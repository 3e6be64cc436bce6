import { InvalidArgumentError } from 'commander'
import {
  buildReducerApp,
  CorsOrigin,
  ReducerMetrics,
  type ScanMetadata,
} from '../../reducer/index.js'
import { ConfigError } from '../../src/internal.js'

/** A running `beamloom replay --serve` server. */
export interface ReplayServer {
  /** Its base URL, the port read back (so `--serve 0` works). */
  readonly url: string
  close(): Promise<void>
}

/** What a replay server reads. */
export interface ReplayServerView {
  /** The current `publish` (`{}` until the reducer exists). */
  readonly read: () => unknown
  /** How the result is made; the HDF5-REST root shows it (docs/results-api.md). */
  readonly metadata?: (() => ScanMetadata) | undefined
  /** Origins whose pages (a served h5web) may read the results. */
  readonly corsOrigins?: readonly string[] | undefined
}

/**
 * Serve a replay's reducer `publish` with the reducer's own HTTP API on `127.0.0.1:port`:
 * JSON/CBOR under `/api/v1/result/`, the HDF5-REST subset at `/` (h5pyd, silx, h5web) with the
 * replay's metadata, the viewer (its header says whether the replay still runs).
 */
export async function startReplayServer(
  port: number,
  module: string,
  view: ReplayServerView,
): Promise<ReplayServer> {
  const { read, metadata } = view
  const app = buildReducerApp({
    corsOrigins: view.corsOrigins ?? [],
    get publish() {
      return read()
    },
    ...(metadata === undefined ? {} : { metadata }),
    ready: true,
    state: 'running',
    metrics: new ReducerMetrics(() => 0),
    status: () => ({
      name: 'replay',
      state: 'running',
      ready: true,
      module,
      queueDepth: 0,
      parametersVersion: 0,
      scan: null,
    }),
  })
  try {
    await app.listen({ host: '127.0.0.1', port })
  } catch (cause) {
    throw new ConfigError(`--serve: cannot listen on 127.0.0.1:${port}`, { cause })
  }
  const address = app.server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  return { url: `http://127.0.0.1:${bound}`, close: () => app.close() }
}

/** Resolves on the first SIGINT or SIGTERM (the replay server runs until then). */
export function untilInterrupted(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on)
      process.off('SIGTERM', on)
      resolve(signal)
    }
    process.on('SIGINT', on)
    process.on('SIGTERM', on)
  })
}

/** Commander parser of `--cors <origins>`: comma-separated origins, or `*`. */
export function parseCorsOrigins(text: string): string[] {
  const origins = text
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
  for (const origin of origins) {
    if (!CorsOrigin.safeParse(origin).success) {
      throw new InvalidArgumentError(
        `'${origin}' is not an origin such as https://h5web.example.org (no path), or *`,
      )
    }
  }
  return origins
}
