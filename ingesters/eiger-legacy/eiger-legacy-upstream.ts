import { Pull } from 'zeromq'
import {
  connectEndpoint,
  EIGER_LEGACY_TYP,
  ServiceBase,
  type StreamName,
  UpstreamClosedError,
} from '../../src/index.js'
import { sniffHtype } from '../base/sniff-htype.js'
import type { Upstream, UpstreamContext, UpstreamFactory } from '../base/upstream.js'
import { ZmqReceiver } from '../base/zmq-receiver.js'

/** Options of {@link createEigerLegacyUpstreamFactory}. */
export interface EigerLegacyUpstreamOptions {
  /** The detector's PUSH endpoint, e.g. `tcp://det:9999`. */
  readonly url: string
  /**
   * How long the detector may stay disconnected, with nothing left to read, before the
   * upstream counts as lost, in milliseconds. Default 2000.
   */
  readonly lostAfterMs?: number
  /** Messages zmq queues from the detector before it has to wait. Default 1000. */
  readonly receiveHighWaterMark?: number
}

type Phase = 'header' | 'series' | 'ended'

/**
 * The Eiger Stream V1 (DECTRIS legacy) upstream of one scan: a zmq PULL connected to the
 * detector's PUSH. It skips what precedes the series' `dheader-1.0` (left-overs of an earlier
 * series), hands out the header (1–9 parts), every `dimage-1.0` (4–5 parts) and the
 * `dseries_end-1.0`, one zmq message per event, and then nothing: asking for more rejects
 * with `UPSTREAM_CLOSED`. Only the `htype` of the first part is read.
 */
class EigerLegacyUpstream extends ServiceBase implements Upstream {
  readonly #options: EigerLegacyUpstreamOptions
  readonly #context: UpstreamContext
  #receiver: ZmqReceiver | undefined
  #phase: Phase = 'header'
  #stale = 0

  constructor(options: EigerLegacyUpstreamOptions, context: UpstreamContext) {
    super(`Eiger V1 upstream ${options.url}`)
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
      'pulling from the Eiger (stream V1)',
    )
  }

  ready(): boolean {
    return this.#phase !== 'ended' && this.#receiver?.ready() === true
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the Eiger series ended (dseries_end-1.0 was read); no more frames will come from ${this.#options.url}`,
        )
      }
      const receiver = this.#receiver
      if (receiver === undefined || this.state !== 'running') {
        throw new UpstreamClosedError(`${this.name} is ${this.state}`)
      }
      const parts = await receiver.receive(signal)
      const htype = sniffHtype(parts[0])
      if (this.#phase === 'header') {
        if (htype === 'dheader-1.0') {
          this.#phase = 'series'
          return parts
        }
        if (htype === undefined) this.#context.onInvalid(stream, 'Eiger V1 message without htype')
        else this.#stale++
        continue
      }
      if (htype === 'dimage-1.0') return parts
      if (htype === 'dseries_end-1.0') {
        this.#phase = 'ended'
        return parts
      }
      this.#context.onInvalid(
        stream,
        htype === undefined
          ? 'Eiger V1 message without htype'
          : `unexpected Eiger V1 htype '${htype}'`,
      )
    }
  }
}

/**
 * The Eiger Stream V1 device type for `createIngester`: frames travel with `typ`
 * `EIGER_LEGACY`, and each scan opens a PULL to `options.url`.
 */
export function createEigerLegacyUpstreamFactory(
  options: EigerLegacyUpstreamOptions,
): UpstreamFactory {
  return {
    typOf: () => EIGER_LEGACY_TYP,
    create: (context) => new EigerLegacyUpstream(options, context),
  }
}
