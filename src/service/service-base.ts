import { StateError } from '../errors.js'
import { aborted, isAbortError, toError } from './abort.js'
import type { CloseOptions, Service, ServiceState } from './service.js'

/** What a close step receives: whether the close is forced, and a signal that aborts on force. */
export interface CloseStepContext {
  /** True when the close was forced before this step began: skip draining, release at once. */
  readonly force: boolean
  /** Aborts when the close is forced (also later, while a graceful step still runs). */
  readonly signal: AbortSignal
}

/** One cleanup action registered with {@link ServiceBase.addCloseStep}. */
export type CloseStep = (ctx: CloseStepContext) => Promise<void> | void

/** A tracked background loop: runs until `signal` aborts (or its work is done). */
export type Loop = (signal: AbortSignal) => Promise<void>

/**
 * The lifecycle every long-lived beamloom object shares (see {@link Service}).
 *
 * Subclasses implement `onStart(signal)`, open resources in it, register how to release each one
 * with `addCloseStep` right after opening it, and start background work with `spawn`.
 *
 * Closing: the lifetime signal aborts (loops and waits see it), then — unless forced — the
 * service waits for every spawned loop to end, then runs the close steps in reverse order of
 * registration, each in its own try/catch. The first error (failed start, throwing loop, `fail`,
 * failed close step) is what `closed` resolves with.
 */
export abstract class ServiceBase implements Service {
  /** Name used in error messages. */
  readonly name: string
  /** Settles once, after every close step ran; never rejects. */
  readonly closed: Promise<Error | undefined>

  #state: ServiceState = 'idle'
  #error: Error | undefined
  readonly #life = new AbortController()
  readonly #force = new AbortController()
  readonly #loops = new Set<Promise<void>>()
  readonly #steps: { name: string; step: CloseStep }[] = []
  #startPromise: Promise<void> | undefined
  #startSettled: Promise<void> | undefined
  #shutdownPromise: Promise<void> | undefined
  #resolveClosed: (err: Error | undefined) => void = () => {}

  protected constructor(name: string) {
    this.name = name
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve
    })
  }

  /** Current lifecycle state. */
  get state(): ServiceState {
    return this.#state
  }

  /** The lifetime signal: aborts as soon as closing begins. Pass it to every wait. */
  protected get signal(): AbortSignal {
    return this.#life.signal
  }

  /**
   * Open resources and start loops. Runs once; `signal` aborts if the service is closed while
   * starting (return or throw promptly then). Throwing fails the start.
   */
  protected abstract onStart(signal: AbortSignal): Promise<void>

  /**
   * Start the service. Resolves once running; a second call returns the same promise.
   * @throws StateError `STATE_INVALID` when closing or closed, or closed during start.
   * Rejects with the start failure after releasing what was opened.
   */
  start(): Promise<void> {
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.reject(new StateError(`${this.name} is ${this.#state}; it cannot start`))
    }
    this.#startPromise ??= this.#runStart()
    return this.#startPromise
  }

  async #runStart(): Promise<void> {
    this.#state = 'starting'
    const signal = this.#life.signal
    const started = (async () => this.onStart(signal))()
    this.#startSettled = started.then(
      () => undefined,
      () => undefined,
    )
    try {
      await started
    } catch (err) {
      // Aborting because close() was called during start is not a failure of the service.
      const interrupted = this.#life.signal.aborted && isAbortError(err, this.#life.signal)
      if (!interrupted) this.#record(toError(err))
      await this.#shutdown()
      throw this.#error ?? new StateError(`${this.name} was closed while starting`)
    }
    if (this.#state !== 'starting') {
      // close() or a failing loop interrupted the start: it owns the shutdown, wait for it.
      await this.#shutdown()
      throw this.#error ?? new StateError(`${this.name} was closed while starting`)
    }
    this.#state = 'running'
  }

  /**
   * Close the service; idempotent, never rejects. `force` skips waiting for loops and tells
   * close steps to release at once; it also escalates a graceful close already under way.
   * Resolves when every close step has run (the same moment `closed` settles).
   */
  close(opts?: CloseOptions): Promise<void> {
    if (opts?.force) this.#force.abort()
    return this.#shutdown()
  }

  /**
   * Close the service because of `err` (for example infrastructure lost). The first error wins.
   * Returns at once; the shutdown runs in the background and ends in `closed`.
   */
  protected fail(err: unknown): void {
    this.#record(toError(err))
    void this.#shutdown()
  }

  /**
   * Start a tracked background loop. It receives the lifetime signal; if it throws (other than
   * by the abort itself) the service closes with that error. Allowed while starting or running.
   * @throws StateError `STATE_INVALID` in any other state.
   */
  protected spawn(name: string, loop: Loop): void {
    if (this.#state !== 'starting' && this.#state !== 'running') {
      throw new StateError(`${this.name}: cannot spawn '${name}' while ${this.#state}`)
    }
    const signal = this.#life.signal
    const tracked = (async () => loop(signal))().then(
      () => undefined,
      (err: unknown) => {
        if (signal.aborted && isAbortError(err, signal)) return
        this.fail(err)
      },
    )
    this.#loops.add(tracked)
    void tracked.then(() => this.#loops.delete(tracked))
  }

  /**
   * Register how to release a resource just opened. Steps run in reverse order of registration.
   * Registered while closing or closed, the step runs at once (its error is recorded).
   */
  protected addCloseStep(name: string, step: CloseStep): void {
    if (this.#state === 'closing' || this.#state === 'closed') {
      void this.#runStep({ name, step })
      return
    }
    this.#steps.push({ name, step })
  }

  #record(err: Error): void {
    this.#error ??= err
  }

  #shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#runShutdown()
    return this.#shutdownPromise
  }

  async #runShutdown(): Promise<void> {
    const force = this.#force.signal
    if (this.#state === 'idle') {
      this.#state = 'closed'
      this.#resolveClosed(undefined)
      return
    }
    this.#state = 'closing'
    this.#life.abort()
    if (this.#startSettled) await Promise.race([this.#startSettled, aborted(force)])
    if (!force.aborted) await Promise.race([Promise.allSettled(this.#loops), aborted(force)])
    for (const step of this.#steps.splice(0).reverse()) await this.#runStep(step)
    this.#state = 'closed'
    this.#resolveClosed(this.#error)
  }

  async #runStep(entry: { name: string; step: CloseStep }): Promise<void> {
    const signal = this.#force.signal
    try {
      await entry.step({ force: signal.aborted, signal })
    } catch (err) {
      this.#record(
        new StateError(`${this.name}: closing '${entry.name}' failed: ${toError(err).message}`, {
          cause: err,
        }),
      )
    }
  }
}
