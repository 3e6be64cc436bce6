import { Encoder } from 'cbor-x'
import { BeamloomError } from '../errors.js'
import { registerPayloadTags } from './payload-tags.js'

// Plain CBOR maps (no cbor-x records) so other CBOR readers understand results; typed arrays
// travel as RFC 8746 tags, Dates as tag 1.
const codec = new Encoder({ useRecords: false })
// Payloads and `publish` of Python analyses carry numpy arrays, tuples and dataclasses as tags
// (payload-tags.ts): decoded to nested typed arrays, arrays and plain objects.
registerPayloadTags()

/** A value CBOR cannot carry, and the steps to it from the root (innermost step first). */
interface Problem {
  readonly what: string
  readonly steps: (
    | readonly ['key', string]
    | readonly ['map', unknown]
    | readonly ['index', number]
  )[]
}

/**
 * The objects on the way from the root to the one being checked, to find cycles: searched
 * linearly (payloads are shallow, and a Set per result showed up in replay profiles), with a
 * Set for those deeper than {@link SHALLOW} levels.
 */
interface Ancestors {
  readonly stack: object[]
  deep: Set<object> | undefined
}

const SHALLOW = 32

/** Throws `PROTOCOL_INVALID` naming the path of a function, symbol or cycle in `value`. */
function checkEncodable(value: unknown): void {
  const problem = findProblem(value, { stack: [], deep: undefined })
  if (problem === undefined) return
  // The path is built only now, as `a.b[0][key]`: object keys joined by dots, array indices
  // and map keys in brackets.
  let path = ''
  for (let i = problem.steps.length - 1; i >= 0; i--) {
    const [kind, key] = problem.steps[i] as Problem['steps'][number]
    path = kind === 'key' ? (path ? `${path}.${key}` : key) : `${path}[${String(key)}]`
  }
  throw new BeamloomError(
    'PROTOCOL_INVALID',
    problem.what === 'cycle'
      ? `result has a cycle at ${path || '(root)'}`
      : `result has a ${problem.what} at ${path || '(root)'}`,
  )
}

function isAncestor(value: object, ancestors: Ancestors): boolean {
  const { stack } = ancestors
  const n = Math.min(stack.length, SHALLOW)
  for (let i = 0; i < n; i++) if (stack[i] === value) return true
  return ancestors.deep?.has(value) ?? false
}

function findProblem(value: unknown, ancestors: Ancestors): Problem | undefined {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      return { what: typeof value, steps: [] }
    case 'object': {
      if (value === null || ArrayBuffer.isView(value) || value instanceof Date) return undefined
      if (isAncestor(value, ancestors)) return { what: 'cycle', steps: [] }
      const depth = ancestors.stack.push(value)
      if (depth > SHALLOW) {
        ancestors.deep ??= new Set()
        ancestors.deep.add(value)
      }
      const problem = findInside(value, ancestors)
      ancestors.stack.pop()
      if (depth > SHALLOW) ancestors.deep?.delete(value)
      return problem
    }
    default:
      return undefined
  }
}

function findInside(value: object, ancestors: Ancestors): Problem | undefined {
  let problem: Problem | undefined
  if (value instanceof Map) {
    for (const [k, v] of value) {
      problem = findProblem(v, ancestors)
      if (problem !== undefined) {
        problem.steps.push(['map', k])
        return problem
      }
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      problem = findProblem(value[i], ancestors)
      if (problem !== undefined) {
        problem.steps.push(['index', i])
        return problem
      }
    }
  } else {
    const record = value as Record<string, unknown>
    for (const k of Object.keys(record)) {
      problem = findProblem(record[k], ancestors)
      if (problem !== undefined) {
        problem.steps.push(['key', k])
        return problem
      }
    }
  }
  return undefined
}

/**
 * Encode a worker's result payload for the wire (CBOR). `-0` is sent as integer 0, as JSON
 * does.
 * @throws BeamloomError `PROTOCOL_INVALID` naming the path of a value CBOR cannot carry
 * (functions, symbols, cycles).
 */
export function encodePayload(value: unknown): Uint8Array {
  checkEncodable(value)
  try {
    return codec.encode(value)
  } catch (cause) {
    throw new BeamloomError(
      'PROTOCOL_INVALID',
      `result cannot be encoded as CBOR: ${String(cause)}`,
      {
        cause,
      },
    )
  }
}

/**
 * Decode a result payload encoded by {@link encodePayload}.
 * @throws BeamloomError `PROTOCOL_INVALID` on bytes that are not one CBOR item.
 */
export function decodePayload(bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes)
  } catch (cause) {
    throw new BeamloomError(
      'PROTOCOL_INVALID',
      `result payload is not valid CBOR: ${String(cause)}`,
      {
        cause,
      },
    )
  }
}
