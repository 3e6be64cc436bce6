const noop = (): void => {}

/**
 * Runs tasks one at a time, in call order: every call into the user's reducer (constructor,
 * `processResult` batches, `timer`, `finish`) goes through one lane, so user code is never
 * re-entered. A failing task does not stop the ones after it.
 */
export class SerialLane {
  #tail: Promise<void> = Promise.resolve()

  /** Run `task` after every task queued before it; settles as `task` does. */
  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(task)
    this.#tail = result.then(noop, noop)
    return result
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.#tail
  }
}
