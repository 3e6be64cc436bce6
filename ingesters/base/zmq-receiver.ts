import type { Pull, Subscriber } from 'zeromq'
import { UpstreamClosedError } from '../../src/internal.js'

/** Options of {@link ZmqReceiver}. */
export interface ZmqReceiverOptions {
  /** The device's address, for messages. */
  readonly url: string
  /** How long the device may stay disconnected, with nothing left to read, before it counts as lost, ms. */
  readonly lostAfterMs: number
}

/**
 * One receiving zmq socket (PULL or SUB) connected to a device: hands out whole messages one
 * at a time, and rejects with `UPSTREAM_CLOSED` when the device disconnected and stayed away
 * for `lostAfterMs` with nothing left to read. A receive interrupted by an abort is kept and
 * handed out by the next call, so no message is lost.
 */
export class ZmqReceiver {
  readonly #socket: Pull | Subscriber
  readonly #options: ZmqReceiverOptions
  #pending: Promise<Buffer[]> | undefined
  #pendingDone = false
  #everConnected = false
  #lostTimer: NodeJS.Timeout | undefined
  #lost = new AbortController()
  #closed = false

  constructor(socket: Pull | Subscriber, options: ZmqReceiverOptions) {
    this.#socket = socket
    this.#options = options
    socket.events.on('handshake', () => this.#onConnected())
    socket.events.on('disconnect', () => this.#onDisconnected())
  }

  /** Whether `receive` would resolve without waiting. */
  ready(): boolean {
    if (this.#closed) return false
    // A receive already under way is ready once it settled; otherwise zmq says whether a
    // message is queued. (`#pendingDone` belongs to the pending receive only: a stale `true`
    // made the ingester hold partial batches until the next frame came, adding a frame
    // interval or more of latency per event.)
    return this.#pending === undefined ? this.#socket.readable : this.#pendingDone
  }

  /** Stop the loss timer and close the socket; idempotent. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#lostTimer)
    this.#socket.close()
  }

  /** The parts of the next message; rejects with `UPSTREAM_CLOSED` or `signal.reason`. */
  async receive(signal: AbortSignal): Promise<Buffer[]> {
    const socket = this.#socket
    if (this.#closed)
      throw new UpstreamClosedError(`the upstream of ${this.#options.url} is closed`)
    if (this.#pending === undefined && socket.readable && !signal.aborted) {
      // Fast path: a message is queued, so zmq reads it at once. No race with the loss timer
      // or the abort signal is needed, and none is set up (listeners cost more than the read).
      try {
        return await socket.receive()
      } catch (err) {
        throw new UpstreamClosedError(`receiving from ${this.#options.url} failed`, { cause: err })
      }
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
        `the device at ${this.#options.url} disconnected and did not come back within ${this.#options.lostAfterMs} ms`,
      )
    }
    this.#pending = undefined
    this.#pendingDone = false
    try {
      return await pending
    } catch (err) {
      throw new UpstreamClosedError(`receiving from ${this.#options.url} failed`, { cause: err })
    }
  }

  #onConnected(): void {
    this.#everConnected = true
    clearTimeout(this.#lostTimer)
    this.#lostTimer = undefined
    if (this.#lost.signal.aborted) this.#lost = new AbortController()
  }

  #onDisconnected(): void {
    if (!this.#everConnected || this.#lostTimer !== undefined || this.#closed) return
    const lost = this.#lost
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = undefined
      lost.abort()
    }, this.#options.lostAfterMs)
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
