import { Subscriber } from 'zeromq'
import {
  connectEndpoint,
  ServiceBase,
  type StreamName,
  UpstreamClosedError,
  XSPRESS3_TYP,
} from '../../src/index.js'
import { sniffHtype } from '../base/sniff-htype.js'
import type { Upstream, UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqReceiver } from '../base/zmq-receiver.js'

/** Options of {@link createXspress3UpstreamFactory}. */
export interface Xspress3UpstreamOptions {
  /** The device's PUB endpoint, e.g. `tcp://xsp3:9999`. */
  readonly url: string
  /**
   * How long the device may stay disconnected, with nothing left to read, before the upstream
   * counts as lost, in milliseconds. Default 2000.
   */
  readonly lostAfterMs?: number
  /** Messages zmq queues from the device (beyond that a PUB drops). Default 10 000. */
  readonly receiveHighWaterMark?: number
}

type Phase = 'header' | 'series' | 'ended'

/**
 * The Xspress3 upstream of one scan: a zmq SUB (subscribed to everything) connected to the
 * device's PUB. It skips what precedes the series' `header`, then hands out one event's frames
 * per call: the header, each frame as `[json, spectra, meta]` and the `series_end`. A frame
 * the device sent as one three-part message (2024) goes through as it is; a frame sent as
 * three one-part messages (2021: an `image` JSON followed by the spectra and the pickled
 * metadata) is joined into those three frames. After `series_end`, asking for more rejects
 * with `UPSTREAM_CLOSED`. Only the `htype` of the JSON is read.
 */
class Xspress3Upstream extends ServiceBase implements Upstream {
  readonly #options: Xspress3UpstreamOptions
  readonly #context: UpstreamContext
  #receiver: ZmqReceiver | undefined
  #phase: Phase = 'header'
  /** The parts of a three-message frame read so far (kept across aborted calls). */
  #partial: Uint8Array[] = []
  /** A message read while joining a frame that starts something new; handled next. */
  #pushedBack: Uint8Array[] | undefined
  #stale = 0

  constructor(options: Xspress3UpstreamOptions, context: UpstreamContext) {
    super(`Xspress3 upstream ${options.url}`)
    this.#options = options
    this.#context = context
  }

  /** Messages dropped because they came before the series' header. */
  get staleMessages(): number {
    return this.#stale
  }

  protected override async onStart(): Promise<void> {
    const socket = new Subscriber({
      receiveHighWaterMark: this.#options.receiveHighWaterMark ?? 10_000,
      linger: 0,
    })
    socket.subscribe()
    const receiver = new ZmqReceiver(socket, {
      url: this.#options.url,
      lostAfterMs: this.#options.lostAfterMs ?? 2000,
    })
    this.#receiver = receiver
    this.addCloseStep('socket', () => receiver.close())
    connectEndpoint(socket, this.#options.url)
    this.#context.logger.info(
      { url: this.#options.url, scanId: this.#context.scanId },
      'subscribed to the Xspress3',
    )
  }

  ready(): boolean {
    // A three-message frame needs three messages; a ready socket is a good enough hint.
    if (this.#phase === 'ended') return false
    return this.#pushedBack !== undefined || this.#receiver?.ready() === true
  }

  async #receive(signal: AbortSignal): Promise<Uint8Array[]> {
    const pushed = this.#pushedBack
    if (pushed !== undefined) {
      this.#pushedBack = undefined
      return pushed
    }
    const receiver = this.#receiver
    if (receiver === undefined || this.state !== 'running') {
      throw new UpstreamClosedError(`${this.name} is ${this.state}`)
    }
    return receiver.receive(signal)
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the Xspress3 series ended (series_end was read); no more frames will come from ${this.#options.url}`,
        )
      }
      if (this.#partial.length > 0) {
        const frame = await this.#completeFrame(stream, signal)
        if (frame !== undefined) return frame
        continue
      }
      const parts = await this.#receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.#phase === 'header') {
        if (htype === 'header') {
          this.#phase = 'series'
          return parts
        }
        // Frames (and their binary follow-ups) of a series joined late.
        this.#stale++
        continue
      }
      if (htype === 'image') {
        if (parts.length >= 3) return parts
        this.#partial = [...parts]
        continue
      }
      if (htype === 'series_end') {
        this.#phase = 'ended'
        return parts
      }
      this.#context.onInvalid(
        stream,
        htype === undefined
          ? 'Xspress3 message without htype where a JSON message was due'
          : `unexpected Xspress3 htype '${htype}'`,
      )
    }
  }

  /** Read the rest of a three-message frame; `undefined` when it broke off (reported). */
  async #completeFrame(
    stream: StreamName,
    signal: AbortSignal,
  ): Promise<readonly Uint8Array[] | undefined> {
    while (this.#partial.length < 3) {
      const parts = await this.#receive(signal)
      if (parts.length === 1 && sniffHtype(parts[0]) === undefined) {
        this.#partial.push(parts[0] as Uint8Array)
        continue
      }
      // A JSON message (or a multi-part one) where the spectra or metadata were due.
      this.#pushedBack = parts
      this.#partial = []
      this.#context.onInvalid(stream, 'Xspress3 frame broke off before its spectra and metadata')
      return undefined
    }
    const frame = this.#partial
    this.#partial = []
    return frame
  }
}

/**
 * The Xspress3 device type for `createIngester`: frames travel with `typ` `xspress`, and each
 * scan opens a SUB to `options.url`.
 */
export function createXspress3UpstreamFactory(options: Xspress3UpstreamOptions): UpstreamFactory {
  return {
    typOf: () => XSPRESS3_TYP,
    create: (context) => new Xspress3Upstream(options, context),
  }
}
