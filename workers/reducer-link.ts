import { randomUUID } from 'node:crypto'
import type { CurveKeys, ProcessInfo, ResultAck } from '../src/internal.js'
import {
  createResultSender,
  type ResultSender,
  StateError,
  type WorkerName,
} from '../src/internal.js'

/** Who hears from the reducer through the link (the scan session in progress). */
export interface ReducerLinkListener {
  /** An acknowledgement arrived. */
  onAck(ack: ResultAck): void
  /** A connection to a reducer was made: send what is not acknowledged durable again. */
  onConnected(): void
}

/**
 * A worker's DEALER to the reducer's `endpoints.results`, kept in step with the registry. A
 * reducer that restarts at the same address is reached again by the same socket (zmq
 * reconnects); a new address gets a new socket. Either way the listener hears `onConnected`
 * and sends again what the reducer has not made durable. Sends wait while no reducer is known.
 * Not a service itself: the worker owns it.
 */
export class ReducerLink {
  /** This process's routing id towards the reducer (unique: a name plus a random suffix). */
  readonly routingId: string
  #sender: ResultSender | undefined
  #endpoint: string | undefined
  #listener: ReducerLinkListener | undefined
  #waiters = new Set<() => void>()
  #closed = false
  #onInvalid: ((err: Error) => void) | undefined
  readonly #curve: CurveKeys | undefined

  /** `curve`: the deployment's CURVE key pair, when the data plane is authenticated. */
  constructor(worker: WorkerName, onInvalid?: (err: Error) => void, curve?: CurveKeys) {
    this.routingId = `${worker}/${randomUUID().slice(0, 8)}`
    this.#onInvalid = onInvalid
    this.#curve = curve
  }

  /** The endpoint results go to now, if a reducer is known. */
  get endpoint(): string | undefined {
    return this.#endpoint
  }

  /** Connections made by the current socket (0 before the first). */
  get connections(): number {
    return this.#sender?.connections ?? 0
  }

  /** Route acknowledgements and reconnections to `listener` (the session in progress). */
  listen(listener: ReducerLinkListener | undefined): void {
    this.#listener = listener
  }

  /**
   * A reducer joined or changed: connect to its `results` endpoint (replacing a link to another
   * address). A reducer without that endpoint is ignored.
   * @throws ConfigError `CONFIG_INVALID` for a malformed endpoint.
   */
  async upsert(info: ProcessInfo): Promise<void> {
    const endpoint = info.endpoints?.results
    if (this.#closed || endpoint === undefined || endpoint === this.#endpoint) return
    const sender = createResultSender({
      endpoint,
      curve: this.#curve,
      routingId: this.routingId,
      drainMs: 200,
      onAck: (ack) => this.#listener?.onAck(ack),
      onConnected: () => {
        if (this.#sender === sender) this.#listener?.onConnected()
      },
      ...(this.#onInvalid === undefined ? {} : { onInvalid: this.#onInvalid }),
    })
    await sender.start()
    const old = this.#sender
    this.#sender = sender
    this.#endpoint = endpoint
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
    // Whatever the old socket still queued is given up: the new reducer gets it all again.
    if (old) await old.close({ force: true })
  }

  /**
   * Send one encoded result batch, waiting for a reducer to be known.
   * @throws StateError `STATE_INVALID` when the link is closed.
   * Rejects with `signal.reason` when `signal` aborts while waiting.
   */
  async send(parts: Uint8Array[], signal: AbortSignal): Promise<void> {
    for (;;) {
      if (this.#closed) throw new StateError('the reducer link is closed')
      const sender = this.#sender
      if (sender !== undefined) {
        try {
          await sender.send(parts, signal)
          return
        } catch (err) {
          // Replaced while sending: the new socket's connection resends it anyway.
          if (this.#sender !== sender && !signal.aborted) return
          throw err
        }
      }
      await this.#waitForReducer(signal)
    }
  }

  /** Close the socket: queued results get a short drain unless `force`. Idempotent. */
  async close(force: boolean): Promise<void> {
    this.#closed = true
    this.#listener = undefined
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
    const sender = this.#sender
    this.#sender = undefined
    if (sender) await sender.close({ force })
  }

  #waitForReducer(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        signal.removeEventListener('abort', onAbort)
        this.#waiters.delete(done)
        resolve()
      }
      const onAbort = (): void => {
        this.#waiters.delete(done)
        reject(signal.reason)
      }
      if (signal.aborted) return reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
      this.#waiters.add(done)
    })
  }
}
