import { InvalidArgumentError } from 'commander'
import { buildReducerApp, ReducerMetrics } from '../../reducer/index.js'
import { ConfigError } from '../../src/index.js'

/** A running `beamloom replay --serve` server. */
export interface ReplayServer {
  /** Its base URL, the port read back (so `--serve 0` works). */
  readonly url: string
  close(): Promise<void>
}

/**
 * Serve a replay's reducer `publish` with the reducer's own HTTP API on `127.0.0.1:port`:
 * JSON/CBOR under `/api/v1/result/`, the HDF5-REST subset at `/` (h5pyd, silx, h5web), the
 * viewer. `read` gives the current `publish` (`{}` until the reducer exists).
 */
export async function startReplayServer(
  port: number,
  module: string,
  read: () => unknown,
): Promise<ReplayServer> {
  const app = buildReducerApp({
    get publish() {
      return read()
    },
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

/** Commander parser of `--serve <port>`: an integer 0–65535 (0: any free port). */
export function parseServePort(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new InvalidArgumentError('expected a port number (0–65535; 0 = any free port)')
  }
  return n
}
