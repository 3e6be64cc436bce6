import type { ControlPlane } from '../control/control-plane.js'
import { lastStreamId } from '../control/follow-stream.js'
import type { ParameterSnapshot, ParameterStore } from '../control/parameter-store.js'
import { isBeamloomError } from '../errors.js'
import {
  makeParameter,
  type ParameterDescription,
  type Parameters,
  parametersHash,
  resolveParameters,
} from './parameters.js'

/** The parameters events are processed with, and their hash (what results carry). */
export interface ResolvedParameters {
  readonly parameters: Parameters
  readonly hash: string
  /** Version of the parameter store they come from (0: nothing set yet). */
  readonly version: number
}

/** A set value that does not parse as its described dtype (it is left out; the default holds). */
export interface RejectedParameter {
  readonly name: string
  readonly reason: string
}

/**
 * The current parameters of a worker or reducer: its analysis's descriptions resolved against the values set
 * in the parameter store (defaults filled). Follows the store's change feed; each change is
 * read once and resolved once, never per event.
 */
export class ParameterTracker {
  readonly #descriptions: ReadonlyMap<string, ParameterDescription>
  readonly #onRejected: (rejected: RejectedParameter) => void
  #current: ResolvedParameters

  constructor(
    descriptions: readonly ParameterDescription[],
    onRejected: (rejected: RejectedParameter) => void = () => {},
  ) {
    this.#descriptions = new Map(descriptions.map((d) => [d.name, d]))
    this.#onRejected = onRejected
    const parameters = resolveParameters(this.#descriptions, new Map())
    // The hash is of the values as set (nothing yet), the same in every process whatever its
    // descriptions: it is what the parameter store and the controller report.
    this.#current = { parameters, hash: parametersHash({}), version: 0 }
  }

  /** What the next event is processed with. */
  get current(): ResolvedParameters {
    return this.#current
  }

  /**
   * Resolve a snapshot of the store. A value that does not parse as its dtype is reported to
   * `onRejected` and left out (its default applies), so one bad value never stops the worker.
   * Older versions than the current one are ignored.
   */
  apply(snapshot: ParameterSnapshot): void {
    if (snapshot.version < this.#current.version) return
    const values = new Map<string, Uint8Array>()
    for (const [name, data] of snapshot.values) {
      try {
        makeParameter(name, data, this.#descriptions.get(name))
        values.set(name, data)
      } catch (err) {
        if (!isBeamloomError(err, 'PARAMETER_INVALID')) throw err
        this.#onRejected({ name, reason: err.message })
      }
    }
    const parameters = resolveParameters(this.#descriptions, values)
    this.#current = { parameters, hash: snapshot.hash, version: snapshot.version }
  }

  /**
   * Load the current set, then follow the change feed until `signal` aborts, applying each
   * new version. Resolves on abort; rejects with the plane's errors.
   */
  async follow(plane: ControlPlane, store: ParameterStore, signal: AbortSignal): Promise<void> {
    const after = await lastStreamId(plane, plane.keys.parameterChanges())
    this.apply(await store.getAll())
    for await (const change of store.changes({ signal, after })) {
      if (change.version <= this.#current.version) continue
      this.apply(await store.getAll())
    }
  }

  /** Load the current set once (at start-up, before the first scan). */
  async load(store: ParameterStore): Promise<void> {
    this.apply(await store.getAll())
  }
}

/**
 * Parameter descriptions in their JSON form for `ProcessInfo.parameters`: `binary` defaults as
 * base64 strings, everything else as is.
 */
export function parametersJson(descriptions: readonly ParameterDescription[]): unknown[] {
  return descriptions.map((d) =>
    d.dtype === 'binary' ? { ...d, default: Buffer.from(d.default).toString('base64') } : { ...d },
  )
}
