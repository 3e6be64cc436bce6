import type { ProcessInfo } from '../src/control/process-info.js'
import { StateError } from '../src/index.js'
import { createResultPusher, type ResultPusher } from '../src/transport/result-pusher.js'

/**
 * A worker's PUSH to the reducer's `endpoints.results`, kept in step with the registry. A
 * reducer that restarts at the same address is reached again by the same socket (zmq
 * reconnects; what was queued meanwhile is delivered); a new address gets a new socket. Sends
 * wait while no reducer is known. Not a service itself: the worker owns it.
 */
export class ReducerLink {
  #pusher: ResultPusher | undefined
  #endpoint: string | undefined
  #waiters = new Set<() => void>()
  #closed = false

  /** The endpoint results go to now, if a reducer is known. */
  get endpoint(): string | undefined {
    return this.#endpoint
  }

  /**
   * A reducer joined or changed: push to its `results` endpoint (replacing a link to another
   * address, whose queue is given a short drain). A reducer without that endpoint is ignored.
   * @throws ConfigError `CONFIG_INVALID` for a malformed endpoint.
   */
  async upsert(info: ProcessInfo): Promise<void> {
    const endpoint = info.endpoints?.results
    if (this.#closed || endpoint === undefined || endpoint === this.#endpoint) return
    const pusher = createResultPusher({ endpoint, drainMs: 200 })
    await pusher.start()
    const old = this.#pusher
    this.#pusher = pusher
    this.#endpoint = endpoint
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
    if (old) await old.close()
  }

  /**
   * Send one encoded result batch, waiting for a reducer to be known.
   * @throws StateError `STATE_INVALID` when the link is closed.
   * Rejects with `signal.reason` when `signal` aborts while waiting.
   */
  async send(parts: Uint8Array[], signal: AbortSignal): Promise<void> {
    for (;;) {
      if (this.#closed) throw new StateError('the reducer link is closed')
      const pusher = this.#pusher
      if (pusher !== undefined) {
        try {
          await pusher.send(parts, signal)
          return
        } catch (err) {
          // Replaced while sending: try the new one; anything else is the caller's.
          if (this.#pusher === pusher || signal.aborted) throw err
          continue
        }
      }
      await this.#waitForReducer(signal)
    }
  }

  /** Send if a reducer is known, else resolve `false` at once (best effort, at close). */
  async trySend(parts: Uint8Array[], signal: AbortSignal): Promise<boolean> {
    if (this.#closed || this.#pusher === undefined) return false
    await this.#pusher.send(parts, signal)
    return true
  }

  /** Close the socket: queued results get a short drain unless `force`. Idempotent. */
  async close(force: boolean): Promise<void> {
    this.#closed = true
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
    const pusher = this.#pusher
    this.#pusher = undefined
    if (pusher) await pusher.close({ force })
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
