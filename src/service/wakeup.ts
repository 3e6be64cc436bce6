/**
 * A wake-up call between one producer and one waiting loop: `notify()` wakes the current
 * `wait()`, or makes the next one return at once. Costs nothing while the loop is busy: a
 * promise (and a timer, when a timeout is given) exists only while the loop actually waits.
 */
export class Wakeup {
  #pending = false
  #resolve: ((woken: boolean) => void) | undefined

  /** Wake the loop (or let its next wait return at once). */
  notify(): void {
    const resolve = this.#resolve
    if (resolve === undefined) {
      this.#pending = true
      return
    }
    this.#resolve = undefined
    resolve(true)
  }

  /**
   * Wait for `notify()`. Resolves `true` when notified, `false` after `timeoutMs` or when
   * `signal` aborts. Never rejects. One waiter at a time.
   */
  wait(signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (this.#pending) {
      this.#pending = false
      return Promise.resolve(true)
    }
    if (signal.aborted) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      const finish = (woken: boolean): void => {
        if (this.#resolve === finish) this.#resolve = undefined
        signal.removeEventListener('abort', onAbort)
        if (timer !== undefined) clearTimeout(timer)
        resolve(woken)
      }
      const onAbort = (): void => finish(false)
      this.#resolve = finish
      signal.addEventListener('abort', onAbort, { once: true })
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => finish(false), timeoutMs)
      }
    })
  }
}
