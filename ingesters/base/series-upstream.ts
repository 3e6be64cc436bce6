import { Pull } from 'zeromq'
import {
  connectEndpoint,
  ServiceBase,
  type StreamName,
  UpstreamClosedError,
} from '../../src/index.js'
import { sniffHtype } from './sniff-htype.js'
import type { Upstream, UpstreamContext, UpstreamFactory } from './upstream.js'
import { ZmqReceiver } from './zmq-receiver.js'

/** Options of a device that PUSHes one series per scan, each message starting with an `htype`. */
export interface PullUpstreamOptions {
  /** The device's PUSH endpoint, e.g. `tcp://127.0.0.1:9999`. */
  readonly url: string
  /**
   * How long the device may stay disconnected, with nothing left to read, before the upstream
   * counts as lost, in milliseconds. Default 2000.
   */
  readonly lostAfterMs?: number
  /** Messages zmq queues from the device before the device has to wait. Default 1000. */
  readonly receiveHighWaterMark?: number
}

/** How one protocol marks its series: the `htype` of its header, data and end messages. */
export interface SeriesProtocol {
  /** The `typ` frames travel with (`STINS`, `EIGER_LEGACY`). */
  readonly typ: string
  /** For messages: `STINS`, `Eiger V1`, … */
  readonly label: string
  readonly header: string
  readonly data: string
  readonly end: string
}

type Phase = 'header' | 'series' | 'ended'

/**
 * The upstream of one scan for a device that PUSHes a series (STINS, Eiger Stream V1): a zmq
 * PULL connected to the device. It skips what precedes the series' header (left-overs of an
 * earlier series), hands out the header, every data message and the end, one zmq message per
 * event, and then nothing: asking for more rejects with `UPSTREAM_CLOSED`. Only the `htype`
 * of the first part is read; the parts go to the workers as received.
 */
class SeriesUpstream extends ServiceBase implements Upstream {
  readonly #protocol: SeriesProtocol
  readonly #options: PullUpstreamOptions
  readonly #context: UpstreamContext
  #receiver: ZmqReceiver | undefined
  #phase: Phase = 'header'
  #stale = 0

  constructor(protocol: SeriesProtocol, options: PullUpstreamOptions, context: UpstreamContext) {
    super(`${protocol.label} upstream ${options.url}`)
    this.#protocol = protocol
    this.#options = options
    this.#context = context
  }

  /** Messages dropped because they came before the series' header. */
  get staleMessages(): number {
    return this.#stale
  }

  protected override async onStart(): Promise<void> {
    const socket = new Pull({
      receiveHighWaterMark: this.#options.receiveHighWaterMark ?? 1000,
      linger: 0,
    })
    const receiver = new ZmqReceiver(socket, {
      url: this.#options.url,
      lostAfterMs: this.#options.lostAfterMs ?? 2000,
    })
    this.#receiver = receiver
    this.addCloseStep('socket', () => receiver.close())
    connectEndpoint(socket, this.#options.url)
    this.#context.logger.info(
      { url: this.#options.url, scanId: this.#context.scanId },
      `pulling from the device (${this.#protocol.label})`,
    )
  }

  ready(): boolean {
    return this.#phase !== 'ended' && this.#receiver?.ready() === true
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    const { label, header, data, end } = this.#protocol
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the ${label} series ended (${end} was read); no more frames will come from ${this.#options.url}`,
        )
      }
      const receiver = this.#receiver
      if (receiver === undefined || this.state !== 'running') {
        throw new UpstreamClosedError(`${this.name} is ${this.state}`)
      }
      const parts = await receiver.receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.#phase === 'header') {
        if (htype === header) {
          this.#phase = 'series'
          return parts
        }
        if (htype === undefined) this.#context.onInvalid(stream, `${label} message without htype`)
        else this.#stale++
        continue
      }
      if (htype === data) return parts
      if (htype === end) {
        this.#phase = 'ended'
        return parts
      }
      this.#context.onInvalid(
        stream,
        htype === undefined
          ? `${label} message without htype`
          : `unexpected ${label} htype '${htype}'`,
      )
    }
  }
}

/** The device type for `createIngester` of a protocol that PUSHes one series per scan. */
export function createSeriesUpstreamFactory(
  protocol: SeriesProtocol,
  options: PullUpstreamOptions,
): UpstreamFactory {
  return {
    typOf: () => protocol.typ,
    create: (context) => new SeriesUpstream(protocol, options, context),
  }
}
