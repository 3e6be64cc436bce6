import { ALBAEM_TYP, type StreamName } from '../../src/index.js'
import type { UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createAlbaemUpstreamFactory}. */
export interface AlbaemUpstreamOptions extends ZmqUpstreamOptions {
  /** The electrometer streamer's PUB endpoint, e.g. `tcp://albaem:22003`. */
  readonly url: string
}

const MESSAGE_TYPE = /"message_type"\s*:\s*"([^"]*)"/
const utf8 = new TextDecoder()

/**
 * The `message_type` of an AlbaEM JSON part, read without parsing the JSON (`undefined`: none
 * found), so a message that is not valid JSON still goes to the worker, whose parser reports
 * what is wrong with it.
 */
export function sniffAlbaemType(part: Uint8Array | undefined): string | undefined {
  if (part === undefined) return undefined
  return MESSAGE_TYPE.exec(utf8.decode(part.subarray(0, 4096)))?.[1]
}

const ALBAEM: ZmqUpstreamKind = {
  socket: 'sub',
  label: 'AlbaEM',
  connected: 'subscribed to the AlbaEM',
  ended: 'the AlbaEM series ended (series-end was read)',
}

/**
 * The AlbaEM upstream of one scan: a zmq SUB (subscribed to everything) connected to the
 * streamer's PUB. It skips what precedes `series-start`, then hands out one message per event:
 * the start, every `data` message and the `series-end`; after that, `UPSTREAM_CLOSED`. Only
 * `message_type` is read; a message without one is counted as invalid and skipped.
 */
class AlbaemUpstream extends ZmqUpstream {
  constructor(options: AlbaemUpstreamOptions, context: UpstreamContext) {
    super(ALBAEM, options, context)
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      const parts = await this.receive(signal)
      const type = sniffAlbaemType(parts[0])
      if (type === undefined) {
        this.context.onInvalid(stream, 'AlbaEM message without message_type')
        continue
      }
      if (this.phase === 'waiting') {
        if (type === 'series-start') {
          this.phase = 'series'
          return parts
        }
        this.countStale()
        continue
      }
      if (type === 'data') return parts
      if (type === 'series-end') {
        this.phase = 'ended'
        return parts
      }
      this.context.onInvalid(stream, `unexpected AlbaEM message_type '${type}' within a series`)
    }
  }
}

/**
 * The AlbaEM device type for `createIngester`: frames travel with `typ` `albaem`, and each scan
 * opens a SUB to `options.url`.
 */
export function createAlbaemUpstreamFactory(options: AlbaemUpstreamOptions): UpstreamFactory {
  return {
    typOf: () => ALBAEM_TYP,
    create: (context) => new AlbaemUpstream(options, context),
  }
}
