import { type StreamName, XSPRESS3_TYP } from '../../src/index.js'
import { sniffHtype } from '../base/sniff-htype.js'
import type { UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createXspress3UpstreamFactory}. */
export interface Xspress3UpstreamOptions extends ZmqUpstreamOptions {
  /** The device's PUB endpoint, e.g. `tcp://xsp3:9999`. */
  readonly url: string
}

const XSPRESS3: ZmqUpstreamKind = {
  socket: 'sub',
  label: 'Xspress3',
  connected: 'subscribed to the Xspress3',
  ended: 'the Xspress3 series ended (series_end was read)',
}

/**
 * The Xspress3 upstream of one scan: a zmq SUB (subscribed to everything) connected to the
 * device's PUB. It skips what precedes the series' `header`, then hands out one event's frames
 * per call: the header, each frame as `[json, spectra, meta]` and the `series_end`. A frame
 * the device sent as one three-part message (2024) goes through as it is; a frame sent as
 * three one-part messages (2021: an `image` JSON followed by the spectra and the pickled
 * metadata) is joined into those three frames. After `series_end`, asking for more rejects
 * with `UPSTREAM_CLOSED`. Only the `htype` of the JSON is read.
 */
class Xspress3Upstream extends ZmqUpstream {
  /** The parts of a three-message frame read so far (kept across aborted calls). */
  #partial: Uint8Array[] = []
  /** A message read while joining a frame that starts something new; handled next. */
  #pushedBack: Uint8Array[] | undefined

  constructor(options: Xspress3UpstreamOptions, context: UpstreamContext) {
    super(XSPRESS3, options, context)
  }

  protected override buffered(): boolean {
    return this.#pushedBack !== undefined
  }

  async #receive(signal: AbortSignal): Promise<Uint8Array[]> {
    const pushed = this.#pushedBack
    if (pushed !== undefined) {
      this.#pushedBack = undefined
      return pushed
    }
    return this.receive(signal)
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      if (this.#partial.length > 0) {
        const frame = await this.#completeFrame(stream, signal)
        if (frame !== undefined) return frame
        continue
      }
      const parts = await this.#receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.phase === 'waiting') {
        if (htype === 'header') {
          this.phase = 'series'
          return parts
        }
        // Frames (and their binary follow-ups) of a series joined late.
        this.countStale()
        continue
      }
      if (htype === 'image') {
        if (parts.length >= 3) return parts
        this.#partial = [...parts]
        continue
      }
      if (htype === 'series_end') {
        this.phase = 'ended'
        return parts
      }
      this.context.onInvalid(
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
      this.context.onInvalid(stream, 'Xspress3 frame broke off before its spectra and metadata')
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
