import type { StreamName } from '../../src/internal.js'
import type { Classified } from './classify-json.js'
import type { UpstreamContext, UpstreamFactory, UpstreamMessage } from './upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from './zmq-upstream.js'

/** A device whose every zmq message is one event's frames, told apart by `classify`. */
export interface ClassifiedDevice {
  /** The `typ` frames travel with. */
  readonly typ: string
  /** Its socket and the words of its log line and errors. */
  readonly kind: ZmqUpstreamKind
  /** Start, data (with its frame number), end, or invalid with the reason; cheap, pure. */
  readonly classify: (parts: readonly Uint8Array[]) => Classified
}

/**
 * The upstream of one scan for a device whose every zmq message is one event's frames (STINS,
 * Eiger Stream V1 and V2, AlbaEM): it skips what precedes the series' start (left-overs of an
 * earlier series), hands out the start, every data message with its frame number and the end,
 * and then `UPSTREAM_CLOSED`. A message `classify` finds invalid, or a second start within the
 * series, is reported through `onInvalid` and dropped: it never takes an event's place.
 */
class ClassifiedUpstream extends ZmqUpstream {
  readonly #device: ClassifiedDevice

  constructor(device: ClassifiedDevice, options: ZmqUpstreamOptions, context: UpstreamContext) {
    super(device.kind, options, context)
    this.#device = device
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    const classify = this.#device.classify
    for (;;) {
      const parts = await this.receive(signal)
      const message = classify(parts)
      if (message.kind === 'invalid') {
        this.context.onInvalid(stream, message.reason)
        continue
      }
      if (this.phase === 'waiting') {
        if (message.kind === 'start') {
          this.phase = 'series'
          return { kind: 'start', parts }
        }
        this.countStale()
        continue
      }
      if (message.kind === 'data') return { kind: 'data', frame: message.frame, parts }
      if (message.kind === 'end') {
        this.phase = 'ended'
        return { kind: 'end', parts }
      }
      this.context.onInvalid(
        stream,
        `${this.#device.kind.label} series start in the middle of a series (no end before it)`,
      )
    }
  }
}

/** The device type for `createIngester` of a device whose every message is one event's frames. */
export function createClassifiedUpstreamFactory(
  device: ClassifiedDevice,
  options: ZmqUpstreamOptions,
): UpstreamFactory {
  return {
    typOf: () => device.typ,
    create: (context) => new ClassifiedUpstream(device, options, context),
  }
}
