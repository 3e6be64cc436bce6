import { Pull, Subscriber } from 'zeromq'
import {
  connectEndpoint,
  parseTcpEndpoint,
  ServiceBase,
  type StreamName,
  UpstreamClosedError,
  ZmtpDeviceReceiver,
} from '../../src/internal.js'
import type { Upstream, UpstreamContext, UpstreamMessage } from './upstream.js'
import { ZmqReceiver } from './zmq-receiver.js'

/** The socket options every zmq device upstream takes (each device's options extend these). */
export interface ZmqUpstreamOptions {
  /** The device's endpoint, e.g. `tcp://xsp3:9999`. */
  readonly url: string
  /**
   * How long the device may stay disconnected, with nothing left to read, before the upstream
   * counts as lost, in milliseconds. Default 2000.
   */
  readonly lostAfterMs?: number
  /** Messages zmq queues from the device. Default 10 000 for a SUB, 1000 for a PULL. */
  readonly receiveHighWaterMark?: number
}

/** What one device's upstream is: its socket and the words of its log line and errors. */
export interface ZmqUpstreamKind {
  /** `sub`: a SUB subscribed to everything (the device PUBlishes); `pull`: a PULL. */
  readonly socket: 'sub' | 'pull'
  /** The device, for the service name: `AlbaEM`, `Eiger V2`, … */
  readonly label: string
  /** Logged once connected, e.g. `subscribed to the AlbaEM`. */
  readonly connected: string
  /** How the series ends, e.g. `the AlbaEM series ended (series-end was read)`. */
  readonly ended: string
  /** What no longer comes once ended (`frames`, `points`, …). Default `frames`. */
  readonly items?: string
}

/**
 * Where the device's series is: `waiting` for its start message (what comes before is
 * stale), within the `series`, or `ended` (its end message was read; nothing more comes).
 */
export type ZmqUpstreamPhase = 'waiting' | 'series' | 'ended'

const DEFAULT_HIGH_WATER_MARK = { sub: 10_000, pull: 1000 } as const

/** What {@link ZmqUpstream} reads from: the own ZMTP receiver or a zeromq.js socket. */
interface DeviceReceiver {
  ready(): boolean
  receive(signal: AbortSignal): Promise<Uint8Array[]>
  close(): void
}

/** Whether `url` is a `tcp://host:port` the own ZMTP receiver can connect to. */
function isTcpEndpoint(url: string): boolean {
  try {
    parseTcpEndpoint(url)
    return true
  } catch {
    return false
  }
}

/**
 * The base of a device upstream that reads one zmq socket for one scan. `start()` connects a
 * SUB or a PULL to `options.url` (lost after `lostAfterMs` disconnected with nothing to read):
 * the own ZMTP receiver into the ingester's frame slabs when the context has them and the url is
 * `tcp://host:port`, else a zeromq.js socket;
 * a subclass implements `next` on top of {@link ZmqUpstream.receive} and moves
 * {@link ZmqUpstream.phase} along its series.
 */
export abstract class ZmqUpstream extends ServiceBase implements Upstream {
  protected readonly options: ZmqUpstreamOptions
  protected readonly context: UpstreamContext
  readonly #kind: ZmqUpstreamKind
  #receiver: DeviceReceiver | undefined
  #stale = 0
  /** Where the series is; `ended` makes {@link ZmqUpstream.receive} reject. */
  protected phase: ZmqUpstreamPhase = 'waiting'

  protected constructor(
    kind: ZmqUpstreamKind,
    options: ZmqUpstreamOptions,
    context: UpstreamContext,
  ) {
    super(`${kind.label} upstream ${options.url}`)
    this.#kind = kind
    this.options = options
    this.context = context
  }

  /** Messages dropped because they came before the series' start. */
  get staleMessages(): number {
    return this.#stale
  }

  /** Count one message dropped because it came before the series' start. */
  protected countStale(): void {
    this.#stale++
  }

  protected override async onStart(): Promise<void> {
    const { url, lostAfterMs, receiveHighWaterMark } = this.options
    const kind = this.#kind.socket
    const highWaterMark = receiveHighWaterMark ?? DEFAULT_HIGH_WATER_MARK[kind]
    const slabs = this.context.frameSlabs
    const logger = this.context.logger
    const scanId = this.context.scanId
    if (slabs !== undefined && isTcpEndpoint(url)) {
      const receiver = new ZmtpDeviceReceiver({
        url,
        socketType: kind === 'sub' ? 'SUB' : 'PULL',
        slabs,
        lostAfterMs: lostAfterMs ?? 2000,
        // zmq's 0 means no limit; the queue stays bounded in bytes.
        maxQueuedMessages: highWaterMark === 0 ? Number.POSITIVE_INFINITY : highWaterMark,
        onConnection: (event) => {
          if (event.kind === 'refused') {
            logger.warn(
              { url, scanId, code: event.code, reason: event.reason },
              'dropped the device connection: it broke ZMTP; reconnecting',
            )
          } else if (event.kind === 'disconnected') {
            logger.info({ url, scanId, reason: event.reason }, 'the device disconnected')
          }
        },
      })
      this.#receiver = receiver
      this.addCloseStep('socket', () => receiver.close())
      receiver.start()
      logger.info({ url, scanId, receive: 'zmtp' }, this.#kind.connected)
      return
    }
    const socketOptions = { receiveHighWaterMark: highWaterMark, linger: 0 }
    let socket: Subscriber | Pull
    if (kind === 'sub') {
      const subscriber = new Subscriber(socketOptions)
      subscriber.subscribe()
      socket = subscriber
    } else {
      socket = new Pull(socketOptions)
    }
    const receiver = new ZmqReceiver(socket, { url, lostAfterMs: lostAfterMs ?? 2000 })
    this.#receiver = receiver
    this.addCloseStep('socket', () => receiver.close())
    connectEndpoint(socket, url)
    logger.info({ url, scanId, receive: 'zeromq' }, this.#kind.connected)
  }

  /**
   * Whether `next` would resolve without waiting: not ended, and something buffered or a
   * message ready on the socket (for a device whose event takes several messages, a good
   * enough hint for batching).
   */
  ready(): boolean {
    if (this.phase === 'ended') return false
    return this.buffered() || this.#receiver?.ready() === true
  }

  /** Whether the subclass holds something `next` can hand out without reading. Default none. */
  protected buffered(): boolean {
    return false
  }

  /**
   * The next zmq message from the device, waiting as long as it takes.
   * @throws UpstreamClosedError once the series ended, or when the upstream is not running or
   *   the device was lost. Rejects with `signal.reason` when `signal` aborts.
   */
  protected async receive(signal: AbortSignal): Promise<Uint8Array[]> {
    if (this.phase === 'ended') {
      const { ended, items = 'frames' } = this.#kind
      throw new UpstreamClosedError(`${ended}; no more ${items} will come from ${this.options.url}`)
    }
    const receiver = this.#receiver
    if (receiver === undefined || this.state !== 'running') {
      throw new UpstreamClosedError(`${this.name} is ${this.state}`)
    }
    return receiver.receive(signal)
  }

  abstract next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage>
}
