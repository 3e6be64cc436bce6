import { ProtocolError } from '../errors.js'
import { PyDtype } from './pickle-numpy.js'
import { describe, PyArrayBuilder, PyBuffer, PyDict, PyGlobal, PySet } from './pickle-objects.js'
import { NumpyArray, type PickleDict, type PickleValue } from './pickle-value.js'

/**
 * Turns the reader's internal objects into `PickleValue`s. Shared references stay shared
 * (one output per input object) and cycles are kept, so memo tricks cannot blow the output
 * up; nesting deeper than `maxDepth` is refused.
 */
export function finalizePickle(root: unknown, maxDepth: number): PickleValue {
  const done = new Map<object, PickleValue>()

  const convert = (value: unknown, depth: number): PickleValue => {
    if (value === null || typeof value === 'boolean' || typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'bigint') return value
    if (typeof value !== 'object') throw new ProtocolError(`pickle: unexpected ${describe(value)}`)
    const seen = done.get(value)
    if (seen !== undefined) return seen
    if (depth > maxDepth) {
      throw new ProtocolError(`pickle: nesting deeper than ${maxDepth} levels`)
    }
    if (value instanceof Uint8Array || value instanceof NumpyArray) return value
    if (value instanceof PyBuffer) return value.bytes
    if (value instanceof PyDtype) return value.typestr
    if (value instanceof PyArrayBuilder) {
      if (value.array === undefined) {
        throw new ProtocolError('pickle: numpy array without its state (no BUILD)')
      }
      return value.array
    }
    if (Array.isArray(value)) {
      const out: PickleValue[] = []
      done.set(value, out)
      for (const item of value) out.push(convert(item, depth + 1))
      return out
    }
    if (value instanceof PyDict) {
      const stringKeys = [...value.entries.keys()].every((k) => typeof k === 'string')
      if (stringKeys) {
        const out: PickleDict = {}
        done.set(value, out)
        for (const [k, v] of value.entries) {
          // defineProperty, not assignment: a key `__proto__` must stay a plain key.
          Object.defineProperty(out, String(k), {
            value: convert(v, depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
          })
        }
        return out
      }
      const out = new Map<PickleValue, PickleValue>()
      done.set(value, out)
      for (const [k, v] of value.entries) out.set(convert(k, depth + 1), convert(v, depth + 1))
      return out
    }
    if (value instanceof PySet) {
      const out = new Set<PickleValue>()
      done.set(value, out)
      for (const item of value.items) out.add(convert(item, depth + 1))
      return out
    }
    if (value instanceof PyGlobal) {
      throw new ProtocolError(`pickle: global ${value.qualifiedName} cannot be a value`)
    }
    throw new ProtocolError(`pickle: unexpected ${describe(value)}`)
  }

  return convert(root, 0)
}
