import { aborted } from '../../src/index.js'

/**
 * Wakes a loop that waits for "something changed" (new assignments, a freed buffer). A
 * `notify` before the `wait` is not lost: the next wait returns at once.
 */
export class Wakeup {
  #resolve: (() => void) | undefined
  #pending = false

  /** Wake the waiter (or the next one). */
  notify(): void {
    this.#pending = true
    const resolve = this.#resolve
    this.#resolve = undefined
    resolve?.()
  }

  /** Resolves on the next notification, or when `signal` aborts. Never rejects. */
  async wait(signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false
      return
    }
    const stop = new AbortController()
    await Promise.race([
      new Promise<void>((resolve) => {
        this.#resolve = resolve
      }),
      aborted(signal, stop.signal),
    ])
    stop.abort()
    this.#resolve = undefined
    this.#pending = false
  }
}
