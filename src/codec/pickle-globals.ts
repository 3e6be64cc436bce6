import { ProtocolError } from '../errors.js'
import { callDtype, callFromBuffer, callReconstruct, callScalar } from './pickle-numpy.js'
import {
  asBytes,
  describe,
  type GlobalBehaviour,
  PyDict,
  PyGlobal,
  PySet,
} from './pickle-objects.js'
import { latin1Bytes } from './pickle-text.js'

/** Items of the one optional iterable argument of `set(…)`, `OrderedDict(…)` and the like. */
function iterableArg(args: readonly unknown[], what: string): readonly unknown[] {
  if (args.length === 0) return []
  const arg = args[0]
  if (args.length === 1 && Array.isArray(arg)) return arg
  if (args.length === 1 && arg instanceof PySet) return [...arg.items]
  throw new ProtocolError(`pickle: ${what} takes one list or tuple, got ${args.length} arguments`)
}

function orderedDict(args: readonly unknown[]): PyDict {
  const dict = new PyDict()
  if (args.length === 1 && args[0] instanceof PyDict) {
    for (const [k, v] of args[0].entries) dict.entries.set(k, v)
    return dict
  }
  for (const pair of iterableArg(args, 'OrderedDict')) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new ProtocolError('pickle: OrderedDict items must be (key, value) pairs')
    }
    dict.entries.set(pair[0], pair[1])
  }
  return dict
}

function makeSet(args: readonly unknown[]): PySet {
  const set = new PySet()
  for (const item of iterableArg(args, 'set')) set.items.add(item)
  return set
}

/** `bytes()`, `bytes(b'…')`, `bytearray(…)`; protocol 2 and older use these. */
function makeBytes(args: readonly unknown[]): Uint8Array {
  if (args.length === 0) return new Uint8Array(0)
  const [arg, encoding] = args
  const bytes = asBytes(arg)
  if (args.length === 1 && bytes !== undefined) return bytes.slice()
  if (args.length === 1 && Array.isArray(arg)) {
    return Uint8Array.from(arg, (b) => {
      if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) {
        throw new ProtocolError('pickle: bytes() items must be integers 0–255')
      }
      return b
    })
  }
  if (typeof arg === 'string' && isLatin1Name(encoding)) return latin1Bytes(arg)
  throw new ProtocolError(`pickle: bytes() of ${describe(arg)} is not supported`)
}

function isLatin1Name(encoding: unknown): boolean {
  return encoding === 'latin1' || encoding === 'latin-1' || encoding === 'iso-8859-1'
}

/** `_codecs.encode(text, 'latin1')`: how protocol 2 writes `bytes`. */
function codecsEncode(args: readonly unknown[]): Uint8Array {
  const [text, encoding] = args
  if (typeof text !== 'string' || !isLatin1Name(encoding)) {
    throw new ProtocolError(
      `pickle: _codecs.encode only decodes latin-1 text, got ${String(encoding)}`,
    )
  }
  return latin1Bytes(text)
}

const NDARRAY: GlobalBehaviour = {}
const RECONSTRUCT: GlobalBehaviour = { call: callReconstruct }
const SCALAR: GlobalBehaviour = { call: callScalar }
const FROMBUFFER: GlobalBehaviour = { call: callFromBuffer }
const BYTES: GlobalBehaviour = { call: makeBytes }
const SET: GlobalBehaviour = { call: makeSet }

/**
 * The only globals a pickle may name, by `module name`. Each maps to one of our own
 * functions that builds data; nothing else is ever looked up. Both numpy 1 (`numpy.core`)
 * and numpy 2 (`numpy._core`) module paths are listed, and the Python 2 `__builtin__` name.
 */
const ALLOWED: ReadonlyMap<string, GlobalBehaviour> = new Map<string, GlobalBehaviour>([
  ['collections OrderedDict', { call: orderedDict }],
  ['numpy ndarray', NDARRAY],
  ['numpy dtype', { call: callDtype }],
  ['numpy.core.multiarray _reconstruct', RECONSTRUCT],
  ['numpy._core.multiarray _reconstruct', RECONSTRUCT],
  ['numpy.core.multiarray scalar', SCALAR],
  ['numpy._core.multiarray scalar', SCALAR],
  ['numpy.core.numeric _frombuffer', FROMBUFFER],
  ['numpy._core.numeric _frombuffer', FROMBUFFER],
  ['_codecs encode', { call: codecsEncode }],
  ['builtins bytes', BYTES],
  ['__builtin__ bytes', BYTES],
  ['builtins bytearray', BYTES],
  ['__builtin__ bytearray', BYTES],
  ['builtins set', SET],
  ['__builtin__ set', SET],
  ['builtins frozenset', SET],
  ['__builtin__ frozenset', SET],
])

/** The allowed globals as `module.name`, for documentation and error messages. */
export const ALLOWED_PICKLE_GLOBALS: readonly string[] = Object.freeze(
  [...ALLOWED.keys()].map((key) => key.replace(' ', '.')),
)

/**
 * Resolves `module.name` against the allow-list. Anything else is refused here, when the
 * pickle names it, long before it could be called.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` naming the global when it is not allowed.
 */
export function resolveGlobal(module: string, name: string): PyGlobal {
  const behaviour = ALLOWED.get(`${module} ${name}`)
  if (behaviour === undefined) {
    throw new ProtocolError(
      `pickle refers to global '${module}.${name}', which is not allowed (data-only reader: only numpy arrays, OrderedDict, bytes and sets are reconstructed)`,
    )
  }
  return new PyGlobal(module, name, behaviour)
}

/**
 * REDUCE / NEWOBJ: calls an allowed global with an argument tuple.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the callee is not an allowed callable or the
 *   arguments are not a tuple.
 */
export function callGlobal(callee: unknown, args: unknown): unknown {
  if (!(callee instanceof PyGlobal) || callee.behaviour.call === undefined) {
    throw new ProtocolError(`pickle: cannot call ${describe(callee)}`)
  }
  if (!Array.isArray(args)) {
    throw new ProtocolError(`pickle: arguments of ${callee.qualifiedName} are not a tuple`)
  }
  return callee.behaviour.call(args)
}
