import { SerialLane } from '../serial-lane.js'

/**
 * A {@link SerialLane} that calls `onSettled` after each task (every call into the user's
 * reducer goes through the lane: `processResult` batches, `timer`, `finish`, a new instance),
 * so the {@link UpdateHub} learns that `publish` may have changed. One call per task, not per
 * event; `onSettled` must be cheap (it sets a flag).
 */
export class MarkingLane extends SerialLane {
  readonly #onSettled: () => void

  constructor(onSettled: () => void) {
    super()
    this.#onSettled = onSettled
  }

  override run<T>(task: () => T | Promise<T>): Promise<T> {
    return super.run(async () => {
      try {
        return await task()
      } finally {
        this.#onSettled()
      }
    })
  }
}
