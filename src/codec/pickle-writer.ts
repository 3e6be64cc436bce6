import {
  bytesOf,
  dtypeOf,
  dtypeTypestr,
  HOST_LITTLE_ENDIAN,
  type NumericArray,
  shapeSize,
} from '../devices/dtype.js'
import { ProtocolError } from '../errors.js'
import { Op } from './pickle-opcodes.js'
import { NumpyArray } from './pickle-value.js'

/** A JS number to be written as a Python `float` even when it is integral (e.g. `0.0`). */
export class PickleFloat {
  constructor(readonly value: number) {}
}

/** Items to be written as a Python `tuple` (plain arrays become lists). */
export class PickleTuple {
  constructor(readonly items: readonly PickleWritable[]) {}
}

/**
 * What `writePickle` can write. Numbers that are safe integers become Python `int`, other
 * numbers `float` (wrap in `PickleFloat` to force a float); `bigint` → `int`; arrays → `list`;
 * `PickleTuple` → `tuple`; plain objects and `Map`s → `dict`; `Set` → `set`; `Uint8Array` →
 * `bytes`; `NumpyArray` → a numpy array in the `_reconstruct` form numpy itself writes.
 */
export type PickleWritable =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | NumpyArray
  | PickleFloat
  | PickleTuple
  | readonly PickleWritable[]
  | ReadonlyMap<PickleWritable, PickleWritable>
  | ReadonlySet<PickleWritable>
  | { readonly [key: string]: PickleWritable }

/** Options of `writePickle`. */
export interface WritePickleOptions {
  /** Pickle protocol, default 4. Protocol 2 writes bytes through `_codecs.encode` as Python does. */
  readonly protocol?: 2 | 3 | 4
  /** Write dicts as `collections.OrderedDict` (as Contrast does for `running` points). */
  readonly orderedDict?: boolean
  /** Module path of numpy's reconstruct function; default `numpy.core` (numpy 1, as devices run). */
  readonly numpyModule?: 'numpy.core' | 'numpy._core'
  /** Deepest nesting accepted (a guard against cycles); default 256. */
  readonly maxDepth?: number
}

/** Wraps a typed array as a `NumpyArray` of the given shape (default: one dimension). */
export function toNumpyArray(
  data: NumericArray,
  shape: readonly number[] = [data.length],
): NumpyArray {
  if (shapeSize(shape) !== data.length) {
    throw new ProtocolError(`shape [${shape}] does not hold ${data.length} elements`)
  }
  const dtype = dtypeOf(data)
  return new NumpyArray(dtype, dtypeTypestr(dtype), shape, data)
}

const utf8 = new TextEncoder()
const latin1 = new TextDecoder('latin1')

class PickleSink {
  private readonly chunks: Uint8Array[] = []
  private buf = new Uint8Array(256)
  private len = 0

  byte(...bytes: number[]): void {
    for (const b of bytes) {
      if (this.len === this.buf.length) this.flush()
      this.buf[this.len++] = b
    }
  }

  u32(v: number): void {
    this.byte(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff)
  }

  raw(bytes: Uint8Array): void {
    this.flush()
    this.chunks.push(bytes)
  }

  private flush(): void {
    if (this.len > 0) this.chunks.push(this.buf.slice(0, this.len))
    this.buf = new Uint8Array(256)
    this.len = 0
  }

  finish(): Uint8Array {
    this.flush()
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0))
    let at = 0
    for (const c of this.chunks) {
      out.set(c, at)
      at += c.length
    }
    return out
  }
}

/** Two's-complement little-endian bytes of `v`, as short as Python writes them. */
function longBytes(v: bigint): number[] {
  const out: number[] = []
  let x = v
  for (;;) {
    const byte = Number(x & 0xffn)
    out.push(byte)
    x >>= 8n
    if ((x === 0n && (byte & 0x80) === 0) || (x === -1n && (byte & 0x80) !== 0)) return out
  }
}

class PickleEncoder {
  private readonly sink = new PickleSink()
  private readonly protocol: 2 | 3 | 4
  private readonly numpyModule: string
  private readonly ordered: boolean
  private readonly maxDepth: number

  constructor(options: WritePickleOptions) {
    this.protocol = options.protocol ?? 4
    this.numpyModule = options.numpyModule ?? 'numpy.core'
    this.ordered = options.orderedDict ?? false
    this.maxDepth = options.maxDepth ?? 256
  }

  encode(value: PickleWritable): Uint8Array {
    this.sink.byte(Op.PROTO, this.protocol)
    this.value(value, 0)
    this.sink.byte(Op.STOP)
    return this.sink.finish()
  }

  private str(s: string): void {
    const bytes = utf8.encode(s)
    if (this.protocol >= 4 && bytes.length < 256) this.sink.byte(Op.SHORT_BINUNICODE, bytes.length)
    else {
      this.sink.byte(Op.BINUNICODE)
      this.sink.u32(bytes.length)
    }
    this.sink.raw(bytes)
  }

  private global(module: string, name: string): void {
    this.sink.byte(Op.GLOBAL)
    this.sink.raw(utf8.encode(`${module}\n${name}\n`))
  }

  private int(v: bigint): void {
    if (v >= 0n && v < 256n) this.sink.byte(Op.BININT1, Number(v))
    else if (v >= 0n && v < 65536n) this.sink.byte(Op.BININT2, Number(v) & 0xff, Number(v) >> 8)
    else if (v >= -(2n ** 31n) && v < 2n ** 31n) {
      this.sink.byte(Op.BININT)
      this.sink.u32(Number(BigInt.asUintN(32, v)))
    } else {
      const bytes = longBytes(v)
      if (bytes.length < 256) this.sink.byte(Op.LONG1, bytes.length, ...bytes)
      else {
        this.sink.byte(Op.LONG4)
        this.sink.u32(bytes.length)
        this.sink.byte(...bytes)
      }
    }
  }

  private float(v: number): void {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setFloat64(0, v, false)
    this.sink.byte(Op.BINFLOAT, ...b)
  }

  private bytes(b: Uint8Array): void {
    if (this.protocol === 2) {
      this.global('_codecs', 'encode')
      this.str(latin1.decode(b))
      this.str('latin1')
      this.sink.byte(Op.TUPLE2, Op.REDUCE)
    } else if (b.length < 256) {
      this.sink.byte(Op.SHORT_BINBYTES, b.length)
      this.sink.raw(b)
    } else {
      this.sink.byte(Op.BINBYTES)
      this.sink.u32(b.length)
      this.sink.raw(b)
    }
  }

  private tuple(items: readonly PickleWritable[], depth: number): void {
    if (items.length === 0) {
      this.sink.byte(Op.EMPTY_TUPLE)
      return
    }
    if (items.length > 3) this.sink.byte(Op.MARK)
    for (const item of items) this.value(item, depth + 1)
    this.sink.byte(items.length > 3 ? Op.TUPLE : Op.TUPLE1 + items.length - 1)
  }

  /**
   * Items in batches of 1000 (pairs for dicts: `step` 2), as CPython writes them: a batch of
   * one uses the single-item opcode (APPEND, SETITEM), more use MARK … APPENDS / SETITEMS.
   */
  private batches(items: readonly PickleWritable[], op: number, depth: number, step = 1): void {
    const single = op === Op.APPENDS ? Op.APPEND : op === Op.SETITEMS ? Op.SETITEM : undefined
    for (let i = 0; i < items.length; i += 1000 * step) {
      const batch = items.slice(i, i + 1000 * step)
      const one = batch.length === step && single !== undefined
      if (!one) this.sink.byte(Op.MARK)
      for (const item of batch) this.value(item, depth + 1)
      this.sink.byte(one ? single : op)
    }
  }

  private dict(entries: Iterable<readonly [PickleWritable, PickleWritable]>, depth: number): void {
    if (this.ordered) {
      this.global('collections', 'OrderedDict')
      this.sink.byte(Op.EMPTY_TUPLE, Op.REDUCE)
    } else this.sink.byte(Op.EMPTY_DICT)
    this.batches([...entries].flat(), Op.SETITEMS, depth, 2)
  }

  private dtype(array: NumpyArray): void {
    const order = array.dtype.itemSize === 1 ? '|' : HOST_LITTLE_ENDIAN ? '<' : '>'
    this.global('numpy', 'dtype')
    this.str(array.typestr.slice(1))
    this.sink.byte(Op.NEWFALSE, Op.NEWTRUE, Op.TUPLE3, Op.REDUCE, Op.MARK, Op.BININT1, 3)
    this.str(order)
    this.sink.byte(Op.NONE, Op.NONE, Op.NONE)
    this.int(-1n)
    this.int(-1n)
    this.sink.byte(Op.BININT1, 0, Op.TUPLE, Op.BUILD)
  }

  private ndarray(array: NumpyArray, depth: number): void {
    this.global(`${this.numpyModule}.multiarray`, '_reconstruct')
    this.global('numpy', 'ndarray')
    this.sink.byte(Op.BININT1, 0, Op.TUPLE1)
    this.bytes(utf8.encode('b'))
    this.sink.byte(Op.TUPLE3, Op.REDUCE, Op.MARK, Op.BININT1, 1)
    this.tuple(array.shape, depth)
    this.dtype(array)
    this.sink.byte(Op.NEWFALSE)
    this.bytes(bytesOf(array.data))
    this.sink.byte(Op.TUPLE, Op.BUILD)
  }

  private value(v: PickleWritable, depth: number): void {
    if (depth > this.maxDepth)
      throw new ProtocolError(`cannot pickle: nesting deeper than ${this.maxDepth}`)
    if (v === null) this.sink.byte(Op.NONE)
    else if (typeof v === 'boolean') this.sink.byte(v ? Op.NEWTRUE : Op.NEWFALSE)
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.int(BigInt(v))
      else this.float(v)
    } else if (typeof v === 'bigint') this.int(v)
    else if (typeof v === 'string') this.str(v)
    else if (v instanceof PickleFloat) this.float(v.value)
    else if (v instanceof Uint8Array) this.bytes(v)
    else if (v instanceof NumpyArray) this.ndarray(v, depth)
    else if (v instanceof PickleTuple) this.tuple(v.items, depth)
    else if (Array.isArray(v)) {
      this.sink.byte(Op.EMPTY_LIST)
      this.batches(v, Op.APPENDS, depth)
    } else if (v instanceof Map) this.dict(v.entries(), depth)
    else if (v instanceof Set) {
      const items = [...v]
      if (this.protocol < 4) {
        this.global(this.protocol === 2 ? '__builtin__' : 'builtins', 'set')
        this.sink.byte(Op.EMPTY_LIST)
        this.batches(items, Op.APPENDS, depth)
        this.sink.byte(Op.TUPLE1, Op.REDUCE)
      } else {
        this.sink.byte(Op.EMPTY_SET)
        this.batches(items, Op.ADDITEMS, depth)
      }
    } else if (ArrayBuffer.isView(v)) {
      throw new ProtocolError('cannot pickle a typed array directly: wrap it with toNumpyArray')
    } else this.dict(Object.entries(v), depth)
  }
}

/**
 * Writes a Python pickle of plain JS values, for simulators that must speak a device's wire
 * protocol (Contrast, Xspress3 metadata, LeCroy timestamps). beamloom itself never pickles
 * its own messages. No memo is written, so shared references are written twice.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for nesting deeper than `maxDepth` (cycles) or a
 *   bare typed array.
 */
export function writePickle(value: PickleWritable, options: WritePickleOptions = {}): Uint8Array {
  return new PickleEncoder(options).encode(value)
}
