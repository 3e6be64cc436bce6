import type { Logger } from 'pino'
import type { StreamEntryId } from '../src/control/control-plane.js'
import type { ParameterStore } from '../src/control/parameter-store.js'
import {
  isBeamloomError,
  type ParameterDescription,
  type Parameters,
  parseParameterValue,
  resolveParameters,
} from '../src/index.js'

/**
 * The reducer's current parameters: its module's descriptions resolved against the values in
 * the parameter store (docs/architecture.md "Parameters"). A stored value that does not parse
 * as its dtype is logged and left out (its default applies) instead of stopping the reducer.
 */
export class ParameterTracker {
  readonly #descriptions: ReadonlyMap<string, ParameterDescription>
  readonly #logger: Logger
  #current: Parameters
  #version = 0

  constructor(descriptions: readonly ParameterDescription[], logger: Logger) {
    this.#descriptions = new Map(descriptions.map((d) => [d.name, d]))
    this.#logger = logger
    this.#current = resolveParameters(this.#descriptions, new Map())
  }

  /** The resolved set, for the next call into the analysis. */
  get current(): Parameters {
    return this.#current
  }

  /** The store version the current set was resolved from (0 before any). */
  get version(): number {
    return this.#version
  }

  /** Load the store's current set. */
  async load(store: ParameterStore): Promise<void> {
    const snapshot = await store.getAll()
    this.#apply(snapshot.values, snapshot.version)
  }

  /**
   * Follow the change feed after `after`, reloading the set on each change, until `signal`
   * aborts. Rejects when the plane fails.
   */
  async follow(store: ParameterStore, after: StreamEntryId, signal: AbortSignal): Promise<void> {
    for await (const change of store.changes({ signal, after })) {
      if (change.version <= this.#version) continue
      await this.load(store)
    }
  }

  #apply(values: ReadonlyMap<string, Uint8Array>, version: number): void {
    const usable = new Map<string, Uint8Array>()
    for (const [name, data] of values) {
      const desc = this.#descriptions.get(name)
      try {
        if (desc) parseParameterValue(desc, data)
        usable.set(name, data)
      } catch (err) {
        if (!isBeamloomError(err, 'PARAMETER_INVALID')) throw err
        this.#logger.warn({ parameter: name, err }, `ignoring parameter value: ${err.message}`)
      }
    }
    this.#current = resolveParameters(this.#descriptions, usable)
    this.#version = version
  }
}
