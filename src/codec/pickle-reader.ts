import { ProtocolError } from '../errors.js'
import { NOT_AN_ATOM, readAtom } from './pickle-atoms.js'
import { finalizePickle } from './pickle-finalize.js'
import { callGlobal, resolveGlobal } from './pickle-globals.js'
import { PickleInput, parseDecimalInt } from './pickle-input.js'
import { buildArray, PyDtype } from './pickle-numpy.js'
import { describe, PyArrayBuilder, PyBuffer, PyDict, PySet } from './pickle-objects.js'
import { HIGHEST_PICKLE_PROTOCOL, Op } from './pickle-opcodes.js'
import type { PickleValue } from './pickle-value.js'

/** Options of `readPickle`. */
export interface ReadPickleOptions {
  /** Out-of-band buffers (protocol 5 `NEXT_BUFFER`), in the order the pickle uses them. */
  readonly buffers?: readonly Uint8Array[]
  /** Deepest nesting of containers accepted; default 256, at most 2000. */
  readonly maxDepth?: number
  /** Most memo entries accepted; default 1,000,000. */
  readonly maxMemo?: number
}

/** Cap on `maxDepth`: deeper recursion would overflow the JS stack. */
const MAX_DEPTH = 2000

const NAMES = new Map<number, string>(Object.entries(Op).map(([name, code]) => [code, name]))

/** Reads one pickle; see `readPickle`. */
class Unpickler {
  private readonly input: PickleInput
  private stack: unknown[] = []
  private readonly marks: number[] = []
  private readonly memo = new Map<number, unknown>()
  private nextBuffer = 0

  constructor(
    bytes: Uint8Array,
    private readonly buffers: readonly Uint8Array[],
    private readonly maxMemo: number,
  ) {
    this.input = new PickleInput(bytes)
  }

  private pop(): unknown {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) {
      throw new ProtocolError(`pickle: stack underflow at offset ${this.input.pos - 1}`)
    }
    return this.stack.pop()
  }

  private top(): unknown {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) {
      throw new ProtocolError(`pickle: empty stack at offset ${this.input.pos - 1}`)
    }
    return this.stack[this.stack.length - 1]
  }

  private popMark(): unknown[] {
    const mark = this.marks.pop()
    if (mark === undefined)
      throw new ProtocolError(`pickle: no MARK at offset ${this.input.pos - 1}`)
    return this.stack.splice(mark)
  }

  private put(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= this.maxMemo) {
      throw new ProtocolError(`pickle: more than ${this.maxMemo} memo entries`)
    }
    this.memo.set(index, this.top())
  }

  private get(index: number): void {
    if (!this.memo.has(index)) throw new ProtocolError(`pickle: memo entry ${index} is not set`)
    this.stack.push(this.memo.get(index))
  }

  private setItems(target: unknown, items: readonly unknown[]): void {
    if (!(target instanceof PyDict))
      throw new ProtocolError(`pickle: SETITEM on ${describe(target)}`)
    if (items.length % 2 !== 0) throw new ProtocolError('pickle: SETITEMS with an odd item count')
    for (let i = 0; i < items.length; i += 2) target.entries.set(items[i], items[i + 1])
  }

  private appendItems(target: unknown, items: readonly unknown[]): void {
    if (target instanceof PySet) {
      for (const item of items) target.items.add(item)
      return
    }
    if (!Array.isArray(target)) throw new ProtocolError(`pickle: APPEND on ${describe(target)}`)
    for (const item of items) target.push(item)
  }

  private build(target: unknown, state: unknown): void {
    if (target instanceof PyArrayBuilder) buildArray(target, state)
    else if (target instanceof PyDtype) target.setState(state)
    else if (!(target instanceof PyDict && (state === null || state instanceof PyDict))) {
      throw new ProtocolError(`pickle: BUILD on ${describe(target)} is not supported`)
    }
  }

  private global(module: string, name: string): void {
    this.stack.push(resolveGlobal(module, name))
  }

  run(): unknown {
    const { input } = this
    for (;;) {
      const at = input.pos
      const op = input.u8()
      switch (op) {
        case Op.PROTO: {
          const version = input.u8('protocol')
          if (version > HIGHEST_PICKLE_PROTOCOL) {
            throw new ProtocolError(`pickle protocol ${version} is not supported`)
          }
          break
        }
        case Op.FRAME:
          input.u64Length('frame')
          break
        case Op.STOP: {
          if (this.marks.length > 0) throw new ProtocolError('pickle: STOP inside a MARK')
          const result = this.pop()
          if (this.stack.length !== 0)
            throw new ProtocolError('pickle: items left on the stack at STOP')
          return result
        }
        case Op.MARK:
          this.marks.push(this.stack.length)
          break
        case Op.POP:
          if (this.stack.length === (this.marks.at(-1) ?? -1)) this.marks.pop()
          else this.pop()
          break
        case Op.POP_MARK:
          this.popMark()
          break
        case Op.DUP:
          this.stack.push(this.top())
          break
        case Op.NEXT_BUFFER: {
          const buffer = this.buffers[this.nextBuffer++]
          if (buffer === undefined) {
            throw new ProtocolError(
              `pickle: NEXT_BUFFER #${this.nextBuffer} but only ${this.buffers.length} buffers were given`,
            )
          }
          this.stack.push(new PyBuffer(buffer))
          break
        }
        case Op.READONLY_BUFFER:
          this.top() // a view is read-only to us anyway
          break
        case Op.EMPTY_LIST:
          this.stack.push([])
          break
        case Op.APPEND: {
          const item = this.pop()
          this.appendItems(this.top(), [item])
          break
        }
        case Op.APPENDS:
        case Op.ADDITEMS: {
          const items = this.popMark()
          this.appendItems(this.top(), items)
          break
        }
        case Op.LIST:
        case Op.TUPLE:
          this.stack.push(this.popMark())
          break
        case Op.EMPTY_TUPLE:
          this.stack.push([])
          break
        case Op.TUPLE1:
        case Op.TUPLE2:
        case Op.TUPLE3: {
          const n = op - Op.TUPLE1 + 1
          const items: unknown[] = []
          for (let i = 0; i < n; i++) items.unshift(this.pop())
          this.stack.push(items)
          break
        }
        case Op.EMPTY_DICT:
          this.stack.push(new PyDict())
          break
        case Op.DICT: {
          const dict = new PyDict()
          this.setItems(dict, this.popMark())
          this.stack.push(dict)
          break
        }
        case Op.SETITEM: {
          const value = this.pop()
          const key = this.pop()
          this.setItems(this.top(), [key, value])
          break
        }
        case Op.SETITEMS: {
          const items = this.popMark()
          this.setItems(this.top(), items)
          break
        }
        case Op.EMPTY_SET:
          this.stack.push(new PySet())
          break
        case Op.FROZENSET: {
          const set = new PySet()
          for (const item of this.popMark()) set.items.add(item)
          this.stack.push(set)
          break
        }
        case Op.PUT:
          this.put(Number(parseDecimalInt(input.line('PUT'), 'PUT')))
          break
        case Op.BINPUT:
          this.put(input.u8('BINPUT'))
          break
        case Op.LONG_BINPUT:
          this.put(input.u32())
          break
        case Op.MEMOIZE:
          this.put(this.memo.size)
          break
        case Op.GET:
          this.get(Number(parseDecimalInt(input.line('GET'), 'GET')))
          break
        case Op.BINGET:
          this.get(input.u8('BINGET'))
          break
        case Op.LONG_BINGET:
          this.get(input.u32())
          break
        case Op.GLOBAL: {
          const module = input.line('GLOBAL module')
          this.global(module, input.line('GLOBAL name'))
          break
        }
        case Op.STACK_GLOBAL: {
          const name = this.pop()
          const module = this.pop()
          if (typeof module !== 'string' || typeof name !== 'string') {
            throw new ProtocolError('pickle: STACK_GLOBAL needs two strings')
          }
          this.global(module, name)
          break
        }
        case Op.REDUCE: {
          const args = this.pop()
          this.stack.push(callGlobal(this.pop(), args))
          break
        }
        case Op.NEWOBJ: {
          const args = this.pop()
          this.stack.push(callGlobal(this.pop(), args))
          break
        }
        case Op.NEWOBJ_EX: {
          const kwargs = this.pop()
          const args = this.pop()
          const cls = this.pop()
          if (!(kwargs instanceof PyDict) || kwargs.entries.size > 0) {
            throw new ProtocolError(`pickle: NEWOBJ_EX with keyword arguments for ${describe(cls)}`)
          }
          this.stack.push(callGlobal(cls, args))
          break
        }
        case Op.BUILD: {
          const state = this.pop()
          this.build(this.top(), state)
          break
        }
        default: {
          const atom = readAtom(op, input)
          if (atom !== NOT_AN_ATOM) {
            this.stack.push(atom)
            break
          }
          const name = NAMES.get(op)
          throw new ProtocolError(
            name === undefined
              ? `pickle: unknown opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`
              : `pickle: opcode ${name} at offset ${at} is not supported (it would run code or look up objects)`,
          )
        }
      }
    }
  }
}

/**
 * Reads a Python pickle (protocols 0–5) into plain JS values (see `PickleValue` for the
 * mapping), never executing anything: the only globals it accepts are an allow-list of data
 * constructors (numpy arrays, dtypes and scalars, `collections.OrderedDict`, bytes, sets),
 * each reimplemented here. Bytes and aligned numpy arrays may be views on `bytes`; keep the
 * input unchanged while you use the result.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when the pickle names any other global (for
 *   example `os.system` or `builtins.eval`; refused at the GLOBAL/STACK_GLOBAL opcode, before
 *   it could be called), uses an opcode that would run code (INST, OBJ, PERSID, EXT*), is
 *   truncated, malformed, nests deeper than `maxDepth`, or exceeds `maxMemo`.
 */
export function readPickle(bytes: Uint8Array, options: ReadPickleOptions = {}): PickleValue {
  const unpickler = new Unpickler(bytes, options.buffers ?? [], options.maxMemo ?? 1_000_000)
  return finalizePickle(unpickler.run(), Math.min(options.maxDepth ?? 256, MAX_DEPTH))
}
