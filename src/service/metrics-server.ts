import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import { ConfigError } from '../errors.js'
import { advertisedAddress, httpUrl } from './advertise.js'
import { ServiceBase } from './service-base.js'

/** What {@link createMetricsServer} takes. */
export interface MetricsServerOptions {
  /** The process's own registry (never prom-client's global one). */
  readonly registry: Registry
  /** Port to listen on; 0 picks a free one (read it back from `port`). */
  readonly port: number
  /** Address to listen on; default `0.0.0.0` (Prometheus and probes come from elsewhere). */
  readonly host?: string
  /** `GET /health/live` answers 200 while this is true, else 503. */
  readonly live: () => boolean
  /** `GET /health/ready` answers 200 while this is true, else 503. */
  readonly ready: () => boolean
}

/**
 * A small HTTP server for processes without an API of their own (workers, ingesters):
 * `GET /metrics` (Prometheus text), `GET /health/live` and `GET /health/ready` (JSON, 200 or
 * 503). Anything else is 404. Create it with {@link createMetricsServer}.
 */
export class MetricsServer extends ServiceBase {
  readonly #options: MetricsServerOptions
  #port: number | undefined

  constructor(options: MetricsServerOptions) {
    super('metrics server')
    this.#options = options
  }

  /** The bound port, once started. */
  get port(): number | undefined {
    return this.#port
  }

  protected override async onStart(): Promise<void> {
    const { port, host = '0.0.0.0' } = this.#options
    const server = createServer((req, res) => this.#handle(req, res))
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new ConfigError(`metrics server cannot listen on ${host}:${port}`, { cause })),
      )
      server.listen(port, host, () => resolve())
    })
    this.addCloseStep('http server', () => this.#close(server))
    const address = server.address()
    this.#port = typeof address === 'object' && address !== null ? address.port : port
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, { error: 'Method Not Allowed' })
    } else if (path === '/metrics') {
      const { registry } = this.#options
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType })
          res.end(text)
        },
        (err: unknown) => reply(res, 500, { error: 'metrics failed', message: String(err) }),
      )
    } else if (path === '/health/live') {
      const live = this.#options.live()
      reply(res, live ? 200 : 503, { live })
    } else if (path === '/health/ready') {
      const ready = this.#options.ready()
      reply(res, ready ? 200 : 503, { ready })
    } else {
      reply(res, 404, { error: 'Not Found', message: `no route ${path}` })
    }
  }

  #close(server: Server): Promise<void> {
    return new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/**
 * Create (not start) a metrics server. `start()` listens; it rejects with `CONFIG_INVALID`
 * when the port is taken. `close()` stops listening and drops open connections; idempotent.
 */
export function createMetricsServer(options: MetricsServerOptions): MetricsServer {
  return new MetricsServer(options)
}

/** What {@link startMetricsServer} takes: the server's options and the host others use. */
export interface ServeMetricsOptions extends MetricsServerOptions {
  /** The host Prometheus and the controller reach this process by (see `advertisedAddress`). */
  readonly advertiseHost?: string | undefined
}

/**
 * Start a {@link MetricsServer} and say where others reach it: the URL a role registers
 * (`metricsUrl`), with a wildcard host replaced by `advertiseHost` or the machine's name.
 * The caller owns the server (close it at shutdown).
 * @throws ConfigError `CONFIG_INVALID` when it cannot listen.
 */
export async function startMetricsServer(
  options: ServeMetricsOptions,
): Promise<{ server: MetricsServer; url: string }> {
  const server = createMetricsServer(options)
  await server.start()
  const url = advertisedAddress(
    httpUrl(options.host ?? '0.0.0.0', server.port!),
    options.advertiseHost,
  )
  return { server, url }
}
