import {
  CONTRAST_TYP,
  type ContrastMessage,
  ProtocolError,
  parseContrastFrames,
  type StreamName,
} from '../../src/internal.js'
import type { UpstreamContext, UpstreamFactory, UpstreamMessage } from '../base/upstream.js'
import { ZmqUpstream, type ZmqUpstreamKind, type ZmqUpstreamOptions } from '../base/zmq-upstream.js'

/** Options of {@link createContrastUpstreamFactory}. */
export interface ContrastUpstreamOptions extends ZmqUpstreamOptions {
  /** Contrast's PUB endpoint, e.g. `tcp://b-nanomax-contrast:5556`. */
  readonly url: string
}

/** What the Contrast upstreams of one ingester saw, over all its scans. */
export interface ContrastUpstreamStats {
  /** `heartbeat` messages read (skipped: they are not events, but show Contrast is alive). */
  heartbeats: number
  /** When the last heartbeat was read (ms since the epoch); 0 before the first. */
  lastHeartbeatAt: number
  /** Messages dropped because they came before a scan's `started` (a scan joined late). */
  stale: number
}

/** A Contrast upstream factory that also counts what its upstreams skipped. */
export interface ContrastUpstreamFactory extends UpstreamFactory {
  readonly stats: Readonly<ContrastUpstreamStats>
}

const CONTRAST: ZmqUpstreamKind = {
  socket: 'sub',
  label: 'Contrast',
  connected: 'subscribed to Contrast',
  ended: 'the Contrast scan ended (finished or interrupted was read)',
  items: 'points',
}

/**
 * The Contrast upstream of one scan: a zmq SUB (subscribed to everything) connected to
 * Contrast's PUB. Each message is one pickle, read with the data-only reader to learn its
 * `status`: heartbeats are skipped (and counted); what precedes `started` is skipped; then it
 * hands out `started`, every `running` point (in arrival order: Contrast numbers no points) and
 * the `finished` or `interrupted` message, one message per event, untouched. A message that does not read (an evil or broken pickle, an
 * unknown status, more than one part) is reported with its reason through `onInvalid` and
 * dropped: the next point takes the event. After the end, asking for more rejects with `UPSTREAM_CLOSED`.
 */
class ContrastUpstream extends ZmqUpstream {
  readonly #stats: ContrastUpstreamStats

  constructor(
    options: ContrastUpstreamOptions,
    context: UpstreamContext,
    stats: ContrastUpstreamStats,
  ) {
    super(CONTRAST, options, context)
    this.#stats = stats
  }

  /** Also counted over every scan of the ingester, in its factory's `stats`. */
  protected override countStale(): void {
    super.countStale()
    this.#stats.stale++
  }

  override async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    for (;;) {
      const parts = await this.receive(signal)
      let message: ContrastMessage
      try {
        message = parseContrastFrames(parts)
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err
        this.context.onInvalid(stream, err.message)
        continue
      }
      if (message.kind === 'heartbeat') {
        this.#stats.heartbeats++
        this.#stats.lastHeartbeatAt = Date.now()
        continue
      }
      if (this.phase === 'waiting') {
        if (message.kind === 'start') {
          this.phase = 'series'
          return { kind: 'start', parts }
        }
        // Points (or the end) of a scan that began before we subscribed.
        this.countStale()
        continue
      }
      // Contrast numbers no points: each takes the next event in arrival order.
      if (message.kind === 'data') return { kind: 'data', parts }
      if (message.kind === 'end') {
        this.phase = 'ended'
        return { kind: 'end', parts }
      }
      this.context.onInvalid(
        stream,
        `Contrast started scan ${message.scannr} before the running one finished; message skipped`,
      )
    }
  }
}

/**
 * The Contrast device type for `createIngester`: frames travel with `typ` `contrast`, and each
 * scan opens a SUB to `options.url`. `stats` counts heartbeats and stale messages over every
 * scan of the ingester.
 */
export function createContrastUpstreamFactory(
  options: ContrastUpstreamOptions,
): ContrastUpstreamFactory {
  const stats: ContrastUpstreamStats = { heartbeats: 0, lastHeartbeatAt: 0, stale: 0 }
  return {
    stats,
    typOf: () => CONTRAST_TYP,
    create: (context) => new ContrastUpstream(options, context, stats),
  }
}
