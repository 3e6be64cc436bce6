import type { ScanId } from '../src/internal.js'

/** How many ended scans are remembered (to answer `scanDone` and drop late results). */
const REMEMBERED = 256

interface Waiter {
  resolve(): void
  reject(err: Error): void
}

/** A promise with its settle functions (Node 20 has no `Promise.withResolvers`). */
function deferred(): { promise: Promise<void> } & Waiter {
  let resolve: () => void = () => {}
  let reject: (err: Error) => void = () => {}
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/**
 * Which scans have ended on this reducer, who waits for that, and a wake-up for anyone waiting
 * for the current scan to change. Remembers the last {@link REMEMBERED} ended scans.
 */
export class ScanWaiters {
  readonly #ended = new Set<ScanId>()
  readonly #waiters = new Map<ScanId, Waiter[]>()
  #change = deferred()

  /** Whether `id` is known to have ended (or to be dead: unknown to the control plane). */
  hasEnded(id: ScanId): boolean {
    return this.#ended.has(id)
  }

  /** Resolves when `id` ends. */
  wait(id: ScanId): Promise<void> {
    if (this.#ended.has(id)) return Promise.resolve()
    const { promise, resolve, reject } = deferred()
    const list = this.#waiters.get(id)
    if (list) list.push({ resolve, reject })
    else this.#waiters.set(id, [{ resolve, reject }])
    return promise
  }

  /** Record that `id` ended: resolves its waiters and wakes {@link nextChange}. */
  ended(id: ScanId): void {
    this.#ended.delete(id)
    this.#ended.add(id)
    if (this.#ended.size > REMEMBERED) {
      const oldest = this.#ended.values().next().value
      if (oldest !== undefined) this.#ended.delete(oldest)
    }
    for (const w of this.#waiters.get(id) ?? []) w.resolve()
    this.#waiters.delete(id)
    this.changed()
  }

  /** Wake everyone waiting in {@link nextChange}. */
  changed(): void {
    this.#change.resolve()
    this.#change = deferred()
  }

  /** Resolves at the next {@link changed} or {@link ended}. */
  nextChange(): Promise<void> {
    return this.#change.promise
  }

  /** Reject every waiter (the reducer is closing). */
  rejectAll(err: Error): void {
    for (const list of this.#waiters.values()) for (const w of list) w.reject(err)
    this.#waiters.clear()
  }
}
