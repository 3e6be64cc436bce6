import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import {
  ConfigError,
  SARDANA_TYP,
  ServiceBase,
  StateError,
  type StreamName,
  UpstreamClosedError,
} from '../../src/internal.js'
import type { Upstream, UpstreamContext, UpstreamMessage } from '../base/upstream.js'
import type { ListeningUpstreamFactory } from './listening-upstream-factory.js'
import { SardanaQueue, type SardanaQueueStats } from './sardana-queue.js'

/** Options of {@link createSardanaUpstreamFactory}. */
export interface SardanaUpstreamOptions {
  /** Where the ingester listens for Sardana's POSTs, e.g. `http://0.0.0.0:5002` (port 0: any). */
  readonly url: string
  /** Bearer token every POST must carry; unset: no check. */
  readonly token?: string | undefined
  /** Bodies kept unread before posts are refused with 503; default 100 000. */
  readonly maxQueued?: number
  /** Largest body, bytes; default 16 MiB. */
  readonly bodyLimitBytes?: number
}

/** The Sardana upstream factory: a listener for the ingester's whole life, and its counters. */
export interface SardanaUpstreamFactory extends ListeningUpstreamFactory {
  readonly stats: Readonly<SardanaQueueStats & { stale: number }>
}

/** `http://host:port` → host and port. @throws ConfigError for anything else. */
function listenAddress(url: string): { host: string; port: number } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new ConfigError(`Sardana listen address '${url}' is not a URL`, { cause })
  }
  if (parsed.protocol !== 'http:' || parsed.pathname !== '/' || parsed.search !== '') {
    throw new ConfigError(`Sardana listen address '${url}': expected http://host:port`)
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  return { host, port: parsed.port === '' ? 80 : Number(parsed.port) }
}

/**
 * The upstream of one scan: reads the listener's queue. It skips bodies that precede a
 * `data_desc` (the rest of a series no scan read), then hands out the `data_desc`, each record
 * and the `record_end`, one frame per event. When Sardana begins a new series before the
 * `record_end` of this one, the new `data_desc` is left for the next scan and this upstream
 * ends with `UPSTREAM_CLOSED`.
 */
class SardanaUpstream implements Upstream {
  readonly #listener: SardanaListener
  readonly #context: UpstreamContext
  #release: (() => void) | undefined
  #series: number | undefined
  #ended = false

  constructor(listener: SardanaListener, context: UpstreamContext) {
    this.#listener = listener
    this.#context = context
  }

  async start(): Promise<void> {
    if (this.#listener.state !== 'running') {
      throw new StateError(`the Sardana listener is ${this.#listener.state}; start it first`)
    }
    this.#release = this.#listener.queue.attach()
    this.#context.logger.info(
      { url: this.#listener.url, scanId: this.#context.scanId },
      'reading what Sardana posts',
    )
  }

  async close(): Promise<void> {
    this.#release?.()
    this.#ended = true
  }

  ready(): boolean {
    return !this.#ended && this.#listener.queue.length > 0
  }

  async next(_stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    const queue = this.#listener.queue
    for (;;) {
      if (this.#ended) {
        throw new UpstreamClosedError(
          `the Sardana scan ended (record_end was read); no more records will come to ${this.#listener.url}`,
        )
      }
      const item = await queue.take(signal)
      if (this.#series === undefined) {
        if (item.type === 'DataDescription') {
          this.#series = item.series
          return { kind: 'start', parts: [item.frame] }
        }
        this.#listener.stale++
        continue
      }
      if (item.series !== this.#series) {
        queue.unshift(item)
        this.#ended = true
        throw new UpstreamClosedError(
          `Sardana began a new scan (data_desc) before the record_end of this one; it is left for the next scan`,
        )
      }
      if (item.type === 'RecordEnd') {
        this.#ended = true
        return { kind: 'end', parts: [item.frame] }
      }
      // HTTP loses nothing and malformed posts are refused (400): records take their events in
      // arrival order.
      return { kind: 'data', parts: [item.frame] }
    }
  }
}

/** The listener: an HTTP server for the ingester's whole life, queueing what Sardana posts. */
class SardanaListener extends ServiceBase implements SardanaUpstreamFactory {
  readonly #options: SardanaUpstreamOptions
  readonly queue: SardanaQueue
  #url: string | undefined
  stale = 0

  constructor(options: SardanaUpstreamOptions) {
    super(`Sardana listener ${options.url}`)
    this.#options = options
    this.queue = new SardanaQueue(options.maxQueued ?? 100_000)
  }

  get url(): string {
    if (this.#url === undefined) throw new StateError(`${this.name} is not listening yet`)
    return this.#url
  }

  get stats(): Readonly<SardanaQueueStats & { stale: number }> {
    return { ...this.queue.stats, stale: this.stale }
  }

  typOf(): string {
    return SARDANA_TYP
  }

  create(context: UpstreamContext): Upstream {
    return new SardanaUpstream(this, context)
  }

  protected override async onStart(): Promise<void> {
    const { host, port } = listenAddress(this.#options.url)
    // Loaded here: only a Sardana ingester serves HTTP (fastify stays off the other ingesters'
    // heaps; see src/http.ts).
    const { buildSardanaApp } = await import('./sardana-app.js')
    const app: FastifyInstance = buildSardanaApp(this.queue, {
      token: this.#options.token,
      ...(this.#options.bodyLimitBytes === undefined
        ? {}
        : { bodyLimitBytes: this.#options.bodyLimitBytes }),
    })
    this.addCloseStep('http', () => app.close())
    try {
      await app.listen({ host, port })
    } catch (cause) {
      throw new ConfigError(
        `cannot listen for Sardana at ${this.#options.url}: ${(cause as Error).message}`,
        { cause },
      )
    }
    const address = app.server.address()
    const bound = typeof address === 'object' && address !== null ? address.port : port
    const wildcard = host === '0.0.0.0' || host === '::'
    const shown = wildcard ? hostname() : host.includes(':') ? `[${host}]` : host
    this.#url = `http://${shown}:${bound}`
  }
}

/**
 * The Sardana device type for `createIngester`: frames travel with `typ` `sardana`. Unlike the
 * zmq devices, the ingester listens and Sardana posts to it, so the factory owns an HTTP
 * listener: `start()` it before the ingester and `close()` it after (see
 * `createSardanaIngester`). Each scan reads the posted bodies in order.
 */
export function createSardanaUpstreamFactory(
  options: SardanaUpstreamOptions,
): SardanaUpstreamFactory {
  return new SardanaListener(options)
}
