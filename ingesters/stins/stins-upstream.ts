import { Pull } from 'zeromq'
import {
  connectEndpoint,
  ServiceBase,
  STINS_TYP,
  type StreamName,
  UpstreamClosedError,
} from '../../src/index.js'
import type { Upstream, UpstreamContext, UpstreamFactory } from '../base/upstream.js'

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

const HTYPE = /"htype"\s*:\s*"([^"]*)"/
const utf8 = new TextDecoder()

/** The `htype` of a STINS message, read without parsing the JSON (`undefined`: none). */
export function sniffStinsHtype(first: Uint8Array | undefined): string | undefined {
  if (first === undefined) return undefined
  return HTYPE.exec(utf8.decode(first))?.[1]
}

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
  #socket: Pull | undefined
  #phase: Phase = 'header'
  #pending: Promise<Buffer[]> | undefined
  #pendingDone = false
  #everConnected = false
  #lostTimer: NodeJS.Timeout | undefined
  #lost = new AbortController()
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
    this.#socket = socket
    this.addCloseStep('socket', () => {
      clearTimeout(this.#lostTimer)
      socket.close()
    })
    socket.events.on('handshake', () => this.#onConnected())
    socket.events.on('disconnect', () => this.#onDisconnected())
    connectEndpoint(socket, this.#options.url)
    this.#context.logger.info(
      { url: this.#options.url, scanId: this.#context.scanId },
      'pulling from the device',
    )
  }

  ready(): boolean {
    if (this.#phase === 'ended') return false
    return this.#pendingDone || (this.#pending === undefined && this.#socket?.readable === true)
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<readonly Uint8Array[]> {
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the STINS series ended (series_end was read); no more frames will come from ${this.#options.url}`,
        )
      }
      const parts = await this.#receive(signal)
      const htype = sniffStinsHtype(parts[0])
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

  async #receive(signal: AbortSignal): Promise<Buffer[]> {
    const socket = this.#socket
    if (socket === undefined || this.state !== 'running') {
      throw new UpstreamClosedError(`${this.name} is ${this.state}`)
    }
    if (this.#pending === undefined) {
      this.#pendingDone = false
      const pending = socket.receive()
      pending.then(
        () => {
          this.#pendingDone = true
        },
        // A receive abandoned at close rejects; nothing waits for it then.
        () => {},
      )
      this.#pending = pending
    }
    const pending = this.#pending
    const outcome = await raceLost(pending, this.#lost.signal, signal)
    if (outcome === 'aborted') throw signal.reason
    if (outcome === 'lost' && !socket.readable && !this.#pendingDone) {
      throw new UpstreamClosedError(
        `the device at ${this.#options.url} disconnected and did not come back within ${this.#lostAfterMs()} ms`,
      )
    }
    this.#pending = undefined
    try {
      return await pending
    } catch (err) {
      throw new UpstreamClosedError(`receiving from ${this.#options.url} failed`, { cause: err })
    }
  }

  #lostAfterMs(): number {
    return this.#options.lostAfterMs ?? 2000
  }

  #onConnected(): void {
    this.#everConnected = true
    clearTimeout(this.#lostTimer)
    this.#lostTimer = undefined
    if (this.#lost.signal.aborted) this.#lost = new AbortController()
  }

  #onDisconnected(): void {
    if (!this.#everConnected || this.#lostTimer !== undefined) return
    const lost = this.#lost
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = undefined
      lost.abort()
    }, this.#lostAfterMs())
    this.#lostTimer.unref()
  }
}

/** Wait for `pending`, or until the device counts as lost, or `signal` aborts. */
function raceLost(
  pending: Promise<unknown>,
  lost: AbortSignal,
  signal: AbortSignal,
): Promise<'message' | 'lost' | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted')
  return new Promise((resolve) => {
    const done = (how: 'message' | 'lost' | 'aborted') => (): void => {
      lost.removeEventListener('abort', onLost)
      signal.removeEventListener('abort', onAbort)
      resolve(how)
    }
    const onLost = done('lost')
    const onAbort = done('aborted')
    if (lost.aborted) {
      // Already lost: take what is queued, if anything.
      void pending.then(done('message'), done('message'))
      setImmediate(onLost)
    } else {
      lost.addEventListener('abort', onLost, { once: true })
      void pending.then(done('message'), done('message'))
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
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
