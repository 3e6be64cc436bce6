import { type CloseStep, ServiceBase, StateError } from '../../src/internal.js'

/** How a part of an {@link UpStack} registers its release, right after it started. */
export type AddPart = (name: string, close: CloseStep) => void

/** Starts the parts of a stack in order, registering each one's close, and returns what the caller uses. */
export type StartParts<T> = (add: AddPart, signal: AbortSignal) => Promise<T>

/**
 * The parts `beamloom up` runs in one process, as one service: `start` runs `startParts`, which
 * starts each part and registers its close right after; `close` closes the parts in reverse
 * order of start, each on its own (a part whose close throws does not keep the others open;
 * its error is what `closed` resolves with). A part that fails to start fails the start: the
 * parts already started are closed, then `start` rejects with that part's error.
 */
export class UpStack<T> extends ServiceBase {
  readonly #startParts: StartParts<T>
  #parts: T | undefined

  constructor(name: string, startParts: StartParts<T>) {
    super(name)
    this.#startParts = startParts
  }

  /**
   * What `startParts` returned.
   * @throws StateError `STATE_INVALID` before the stack started.
   */
  get parts(): T {
    if (this.#parts === undefined) throw new StateError(`${this.name} has not started`)
    return this.#parts
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    this.#parts = await this.#startParts((name, close) => this.addCloseStep(name, close), signal)
  }
}
