import { Push } from 'zeromq'
import {
  aborted,
  bindEndpoint,
  type DtypeName,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  readRawCapture,
  ServiceBase,
  StateError,
  type StinsCompression,
  sleep,
} from '../../src/index.js'
import { createSpotImages } from './stins-images.js'

/** Options of {@link createStinsSimulator}. */
export interface StinsSimulatorOptions {
  /** Where the PUSH binds, e.g. `tcp://127.0.0.1:9999` (`:*` for an ephemeral port). */
  readonly bind: string
  /** Images in the series (between the header and the series end). */
  readonly frames: number
  /** `[rows, cols]`. */
  readonly shape: readonly [number, number]
  readonly dtype: DtypeName
  /** Messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  readonly compression: StinsCompression
  /** Replay this raw capture (one zmq message per item) instead of generating a series. */
  readonly capture?: string
  /** `filename` of the header. */
  readonly filename?: string
  /** Messages zmq queues before `send` waits (back-pressure). Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** A running simulator (see {@link createStinsSimulator}). */
export interface StinsSimulator {
  readonly state: ServiceBase['state']
  /** The bound endpoint. @throws StateError before start. */
  readonly endpoint: string
  /** Messages handed to zmq so far. */
  readonly sentMessages: number
  /** Resolves when every message was handed to zmq, or the simulator closed first. */
  readonly done: Promise<void>
  start(): Promise<void>
  close(opts?: { force?: boolean }): Promise<void>
  readonly closed: Promise<Error | undefined>
}

class StinsSimulatorService extends ServiceBase implements StinsSimulator {
  readonly #options: StinsSimulatorOptions
  #endpoint: string | undefined
  #sent = 0
  #resolveDone: () => void = () => {}
  readonly done: Promise<void>

  constructor(options: StinsSimulatorOptions) {
    super(`STINS simulator ${options.bind}`)
    this.#options = options
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
    void this.closed.then(() => this.#resolveDone())
  }

  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  get sentMessages(): number {
    return this.#sent
  }

  protected override async onStart(): Promise<void> {
    const options = this.#options
    const socket = new Push({ sendHighWaterMark: options.sendHighWaterMark ?? 1000, linger: 0 })
    this.addCloseStep('socket', ({ force }) => {
      socket.linger = force ? 0 : (options.lingerMs ?? 5000)
      socket.close()
    })
    let peer: () => void = () => {}
    const connected = new Promise<void>((resolve) => {
      peer = resolve
    })
    socket.events.on('handshake', () => peer())
    this.#endpoint = await bindEndpoint(socket, options.bind)
    this.spawn('send', async (signal) => {
      // PUSH would queue anyway; waiting makes the rate count from the first delivery.
      await Promise.race([connected, aborted(signal)])
      if (signal.aborted) return
      await this.#sendAll(socket, signal)
      this.#resolveDone()
    })
  }

  async #sendAll(socket: Push, signal: AbortSignal): Promise<void> {
    const options = this.#options
    const startedAt = performance.now()
    const send = async (parts: readonly Uint8Array[]): Promise<void> => {
      if (options.rateHz > 0) {
        const due = startedAt + (this.#sent * 1000) / options.rateHz
        const wait = due - performance.now()
        if (wait > 0) await sleep(wait, signal)
      }
      try {
        await socket.send(parts as Uint8Array[])
      } catch (err) {
        if (signal.aborted || socket.closed) throw signal.reason ?? err
        throw err
      }
      this.#sent++
    }
    if (options.capture !== undefined) {
      for await (const parts of readRawCapture(options.capture)) {
        if (signal.aborted) return
        await send(parts)
      }
      return
    }
    const image = createSpotImages({ shape: options.shape, dtype: options.dtype })
    const filename = options.filename ?? 'simulated.h5'
    await send(encodeStinsHeader({ msgNumber: 0, filename }))
    for (let frame = 0; frame < options.frames; frame++) {
      await send(
        encodeStinsImage({
          msgNumber: frame + 1,
          frame,
          shape: options.shape,
          data: image(frame),
          compression: options.compression,
        }),
      )
    }
    await send(encodeStinsEnd({ msgNumber: options.frames + 1 }))
  }
}

/**
 * Create (not start) a STINS device simulator: `start()` binds a PUSH; once a receiver
 * connects it sends a `header`, `frames` images (Poisson background and a moving spot, raw or
 * bitshuffle-LZ4) and a `series_end` at `rateHz` — or replays a raw capture, one message per
 * item. Sends wait while zmq's queue is full. `start()` rejects with `CONFIG_INVALID` when the
 * address cannot be bound; a capture that cannot be read closes it with the read error.
 */
export function createStinsSimulator(options: StinsSimulatorOptions): StinsSimulator {
  return new StinsSimulatorService(options)
}
