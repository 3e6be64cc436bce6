import { Pull } from 'zeromq'
import {
  connectEndpoint,
  ServiceBase,
  STINS_TYP,
  type StreamName,
  UpstreamClosedError,
} from '../../src/index.js'
import { sniffHtype } from '../base/sniff-htype.js'
import type { Upstream, UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqReceiver } from '../base/zmq-receiver.js'

/** Options of {@link createStinsUpstreamFactory}. */
export interface StinsUpstreamOptions {
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

type Phase = 'header' | 'series' | 'ended'

/**
 * The STINS upstream of one scan: a zmq PULL connected to the device (STINS detectors PUSH).
 * Like Dranspose's STINS ingester it skips what precedes the series' `header` (left-overs of
 * an earlier series), hands out the header, every image and the `series_end`, and then
 * nothing: asking for more rejects with `UPSTREAM_CLOSED`. Messages are never parsed beyond
 * their `htype`; their parts go to the workers as received.
 */
class StinsUpstream extends ServiceBase implements Upstream {
  readonly #options: StinsUpstreamOptions
  readonly #context: UpstreamContext
  #receiver: ZmqReceiver | undefined
  #phase: Phase = 'header'
  #stale = 0

  constructor(options: StinsUpstreamOptions, context: UpstreamContext) {
    super(`STINS upstream ${options.url}`)
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
      'pulling from the device',
    )
  }

  ready(): boolean {
    return this.#phase !== 'ended' && this.#receiver?.ready() === true
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the STINS series ended (series_end was read); no more frames will come from ${this.#options.url}`,
        )
      }
      const receiver = this.#receiver
      if (receiver === undefined || this.state !== 'running') {
        throw new UpstreamClosedError(`${this.name} is ${this.state}`)
      }
      const parts = await receiver.receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.#phase === 'header') {
        if (htype === 'header') {
          this.#phase = 'series'
          return parts
        }
        if (htype === undefined) this.#context.onInvalid(stream, 'STINS message without htype')
        else this.#stale++
        continue
      }
      if (htype === 'image') return parts
      if (htype === 'series_end') {
        this.#phase = 'ended'
        return parts
      }
      this.#context.onInvalid(
        stream,
        htype === undefined ? 'STINS message without htype' : `unexpected STINS htype '${htype}'`,
      )
    }
  }
}

/**
 * The STINS device type for `createIngester`: frames travel with `typ` `STINS`, and each scan
 * opens a PULL to `options.url`.
 */
export function createStinsUpstreamFactory(options: StinsUpstreamOptions): UpstreamFactory {
  return {
    typOf: () => STINS_TYP,
    create: (context) => new StinsUpstream(options, context),
  }
}
