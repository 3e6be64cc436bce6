import { Push, XPublisher } from 'zeromq'
import {
  aborted,
  bindEndpoint,
  readRawCapture,
  ServiceBase,
  StateError,
  sleep,
} from '../../src/internal.js'

/** A device simulator that binds a zmq socket and sends one series (see {@link createZmqSimulator}). */
export interface DeviceSimulator {
  readonly state: ServiceBase['state']
  /** The bound endpoint. @throws StateError before start. */
  readonly endpoint: string
  /** zmq messages handed to zmq so far. */
  readonly sentMessages: number
  /** Resolves when every message was handed to zmq, or the simulator closed first. */
  readonly done: Promise<void>
  start(): Promise<void>
  close(opts?: { force?: boolean }): Promise<void>
  readonly closed: Promise<Error | undefined>
}

/** Options of {@link createZmqSimulator}. */
export interface ZmqSimulatorOptions {
  /** For messages, e.g. `Eiger V1 simulator`. */
  readonly name: string
  /** Where the socket binds (`:*` for an ephemeral port). */
  readonly bind: string
  /**
   * `push`: a PUSH that waits for a receiver; `pub`: a publisher (an XPUB, wire-compatible with
   * PUB) that waits for the first subscription, since a PUB drops what nobody subscribed to.
   */
  readonly socket: 'push' | 'pub'
  /** zmq messages per second; 0 sends as fast as the receiver takes them. */
  readonly rateHz: number
  /** The series, one item per zmq message; read once, after the receiver appeared. */
  readonly messages: () => AsyncIterable<readonly Uint8Array[]> | Iterable<readonly Uint8Array[]>
  /** Extra wait after the receiver appeared, ms. Default 0. */
  readonly startDelayMs?: number
  /** Messages zmq queues before `send` waits (back-pressure). Default 1000. */
  readonly sendHighWaterMark?: number
  /** How long a graceful close keeps delivering queued messages, ms. Default 5000. */
  readonly lingerMs?: number
}

/** What the options of every device simulator share (see {@link deviceSimulatorOptions}). */
export interface DeviceSimulatorOptions
  extends Pick<
    ZmqSimulatorOptions,
    'bind' | 'rateHz' | 'startDelayMs' | 'sendHighWaterMark' | 'lingerMs'
  > {
  /** Replay this raw capture (one zmq message per item) instead of generating. */
  readonly capture?: string
}

/**
 * The options of {@link createZmqSimulator} that a device simulator takes from its own: `bind`,
 * `rateHz`, the messages (`generate(options)`, or the raw capture `options.capture` replayed
 * instead) and those of `startDelayMs`, `sendHighWaterMark` and `lingerMs` that are set (the
 * others keep their defaults).
 */
export function deviceSimulatorOptions<O extends DeviceSimulatorOptions>(
  options: O,
  generate: (options: O) => ReturnType<ZmqSimulatorOptions['messages']>,
): Omit<ZmqSimulatorOptions, 'name' | 'socket'> {
  const capture = options.capture
  return {
    bind: options.bind,
    rateHz: options.rateHz,
    messages: () => (capture === undefined ? generate(options) : readRawCapture(capture)),
    ...(options.startDelayMs === undefined ? {} : { startDelayMs: options.startDelayMs }),
    ...(options.sendHighWaterMark === undefined
      ? {}
      : { sendHighWaterMark: options.sendHighWaterMark }),
    ...(options.lingerMs === undefined ? {} : { lingerMs: options.lingerMs }),
  }
}

class ZmqSimulatorService extends ServiceBase implements DeviceSimulator {
  readonly #options: ZmqSimulatorOptions
  #endpoint: string | undefined
  #sent = 0
  #resolveDone: () => void = () => {}
  readonly done: Promise<void>

  constructor(options: ZmqSimulatorOptions) {
    super(`${options.name} ${options.bind}`)
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
    const hwm = options.sendHighWaterMark ?? 1000
    const socket =
      options.socket === 'push'
        ? new Push({ sendHighWaterMark: hwm, linger: 0 })
        : new XPublisher({ sendHighWaterMark: hwm, linger: 0, noDrop: true })
    this.addCloseStep('socket', ({ force }) => {
      socket.linger = force ? 0 : (options.lingerMs ?? 5000)
      socket.close()
    })
    let peer: () => void = () => {}
    const connected = new Promise<void>((resolve) => {
      peer = resolve
    })
    if (socket instanceof XPublisher) {
      // The first subscription message: from then on a subscriber receives what is sent.
      socket.receive().then(
        () => peer(),
        () => {},
      )
    } else {
      socket.events.on('handshake', () => peer())
    }
    this.#endpoint = await bindEndpoint(socket, options.bind)
    this.spawn('send', async (signal) => {
      await Promise.race([connected, aborted(signal)])
      if (signal.aborted) return
      if ((options.startDelayMs ?? 0) > 0) await sleep(options.startDelayMs ?? 0, signal)
      await this.#sendAll(socket, signal)
      this.#resolveDone()
    })
  }

  async #sendAll(socket: Push | XPublisher, signal: AbortSignal): Promise<void> {
    const options = this.#options
    const startedAt = performance.now()
    for await (const parts of options.messages()) {
      if (signal.aborted) return
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
  }
}

/**
 * Create (not start) a device simulator: `start()` binds a PUSH or a publisher; once a
 * receiver is there it sends `messages()` at `rateHz`, one zmq message per item. Sends wait
 * while zmq's queue is full (also the publisher's: it does not drop). `start()` rejects with
 * `CONFIG_INVALID` when the address cannot be bound; a failing `messages()` (a capture that
 * cannot be read) closes it with that error.
 */
export function createZmqSimulator(options: ZmqSimulatorOptions): DeviceSimulator {
  return new ZmqSimulatorService(options)
}
