import type { NumpyArray } from './pickle-value.js'

/**
 * Objects that exist only while a pickle is being read; `finalizePickle` turns them into
 * `PickleValue`s. None of them can run code: a "callable" is one of our own functions,
 * chosen from the allow-list by module and name.
 */

/** What an allowed global does when the pickle calls it (REDUCE, NEWOBJ). */
export interface GlobalBehaviour {
  /** Called with the argument tuple; absent for globals that may only be passed around. */
  readonly call?: (args: readonly unknown[]) => unknown
}

/** A reference to an allowed Python global, e.g. `numpy.dtype`. */
export class PyGlobal {
  readonly module: string
  readonly name: string
  readonly behaviour: GlobalBehaviour

  constructor(module: string, name: string, behaviour: GlobalBehaviour) {
    this.module = module
    this.name = name
    this.behaviour = behaviour
  }

  get qualifiedName(): string {
    return `${this.module}.${this.name}`
  }
}

/** A Python dict (or OrderedDict) under construction; keys in insertion order. */
export class PyDict {
  readonly entries = new Map<unknown, unknown>()
}

/** A Python set or frozenset under construction. */
export class PySet {
  readonly items = new Set<unknown>()
}

/** An array from `numpy.core.multiarray._reconstruct`, waiting for its BUILD state. */
export class PyArrayBuilder {
  array: NumpyArray | undefined
}

/** A protocol-5 out-of-band buffer (NEXT_BUFFER). */
export class PyBuffer {
  readonly bytes: Uint8Array

  constructor(bytes: Uint8Array) {
    this.bytes = bytes
  }
}

/** Anything that may be used as bytes: `bytes` values and out-of-band buffers. */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value
  if (value instanceof PyBuffer) return value.bytes
  return undefined
}

/** A short description of an internal value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'None'
  if (Array.isArray(value)) return 'a tuple or list'
  if (value instanceof PyGlobal) return `global ${value.qualifiedName}`
  if (value instanceof PyDict) return 'a dict'
  if (value instanceof PySet) return 'a set'
  if (value instanceof Uint8Array || value instanceof PyBuffer) return 'bytes'
  if (typeof value === 'object') return value.constructor.name
  return `a ${typeof value}`
}
