import { type StreamName, XSPRESS3_TYP } from '../../src/internal.js'
import {
  type Classified,
  classifyJsonMessage,
  type JsonProtocol,
  readJsonHeader,
} from '../base/classify-json.js'
import type { UpstreamContext, UpstreamFactory, UpstreamMessage } from '../base/upstream.js'
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
 * How the ingester tells Xspress3 messages apart: `htype` `header`, `image` (with its `frame`
 * number from 0) and `series_end`. An image is one 3-part message (JSON, spectra, metadata;
 * 2024) or a 1-part JSON followed by two 1-part binary messages (2021).
 */
export const XSPRESS3_PROTOCOL: JsonProtocol = {
  label: 'Xspress3',
  typeField: 'htype',
  start: 'header',
  data: 'image',
  end: 'series_end',
  frameField: 'frame',
  parts: { start: [1, Infinity], data: [1, 3], end: [1, Infinity] },
}

/** Classify one Xspress3 message (an image of 1 part is the head of a three-message frame). */
export function classifyXspress3(parts: readonly Uint8Array[]): Classified {
  const message = classifyJsonMessage(XSPRESS3_PROTOCOL, parts)
  if (message.kind === 'data' && parts.length === 2) {
    return {
      kind: 'invalid',
      reason:
        'Xspress3 image message with 2 parts (expected 3, or 1 followed by the spectra and metadata messages)',
    }
  }
  return message
}

/** Whether a one-part message can be the spectra or metadata of a three-message frame. */
function isBinaryFollowUp(parts: readonly Uint8Array[]): boolean {
  return parts.length === 1 && 'reason' in readJsonHeader(parts[0], 'Xspress3')
}

/**
 * The Xspress3 upstream of one scan: a zmq SUB (subscribed to everything) connected to the
 * device's PUB. It skips what precedes the series' `header`, then hands out one event's frames
 * per call: the header, each frame as `[json, spectra, meta]` with its `frame` number and the
 * `series_end`. A frame the device sent as one three-part message (2024) goes through as it
 * is; a frame sent as three one-part messages (2021: an `image` JSON followed by the spectra and
 * the pickled metadata) is joined into those three frames. A message that is none of these (bad
 * JSON, unknown htype, no frame number, a wrong part count, a frame that broke off) is reported
 * as invalid and dropped. After `series_end`, asking for more rejects with `UPSTREAM_CLOSED`.
 */
class Xspress3Upstream extends ZmqUpstream {
  /** The parts of a three-message frame read so far (kept across aborted calls). */
  #partial: Uint8Array[] = []
  #partialFrame = 0
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

  override async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    for (;;) {
      if (this.#partial.length > 0) {
        const frame = await this.#completeFrame(stream, signal)
        if (frame !== undefined) return frame
        continue
      }
      const parts = await this.#receive(signal)
      const message = classifyXspress3(parts)
      if (this.phase === 'waiting') {
        if (message.kind === 'start') {
          this.phase = 'series'
          return { kind: 'start', parts }
        }
        // Frames (and their binary follow-ups) of a series joined late.
        this.countStale()
        continue
      }
      if (message.kind === 'data') {
        if (parts.length === 3) return { kind: 'data', frame: message.frame, parts }
        this.#partial = [...parts]
        this.#partialFrame = message.frame ?? 0
        continue
      }
      if (message.kind === 'end') {
        this.phase = 'ended'
        return { kind: 'end', parts }
      }
      this.context.onInvalid(
        stream,
        message.kind === 'invalid'
          ? message.reason
          : 'Xspress3 header in the middle of a series (no series_end before it)',
      )
    }
  }

  /** Read the rest of a three-message frame; `undefined` when it broke off (reported). */
  async #completeFrame(
    stream: StreamName,
    signal: AbortSignal,
  ): Promise<UpstreamMessage | undefined> {
    while (this.#partial.length < 3) {
      const parts = await this.#receive(signal)
      if (isBinaryFollowUp(parts)) {
        this.#partial.push(parts[0]!)
        continue
      }
      // A JSON message (or a multi-part one) where the spectra or metadata were due.
      this.#pushedBack = parts
      this.#partial = []
      this.context.onInvalid(
        stream,
        `Xspress3 frame ${this.#partialFrame} broke off before its spectra and metadata`,
      )
      return undefined
    }
    const parts = this.#partial
    this.#partial = []
    return { kind: 'data', frame: this.#partialFrame, parts }
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
