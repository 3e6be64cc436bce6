import { StateError } from '../errors.js'
import type { ControlValue, StreamEntry, StreamEntryId } from './control-plane.js'
import { globPattern } from './glob-pattern.js'
import { formatStreamId, parseStreamId, rangeBound, type StreamIdParts } from './stream-id.js'

type Data =
  | { readonly kind: 'string'; value: Uint8Array }
  | { readonly kind: 'hash'; readonly fields: Map<string, Uint8Array> }
  | { readonly kind: 'stream'; entries: StreamEntry[]; last: StreamIdParts }

interface Slot {
  data: Data
  expiresAt: number | undefined
}

const encoder = new TextEncoder()

/** Bytes of a value, always a fresh copy (nothing is shared with callers, as over a socket). */
export function toBytes(value: ControlValue): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value.slice()
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function wrongType(): StateError {
  return new StateError('WRONGTYPE Operation against a key holding the wrong kind of value')
}

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Clock for TTLs and stream ids, in epoch milliseconds; default `Date.now`. Tests fake it. */
  readonly now?: () => number
}

/**
 * The data behind in-memory control planes: keys with TTL, hashes and streams, with Redis
 * semantics. Several planes (one per role in `beamloom up`, or per simulated process in tests)
 * can share one store, as processes share one Redis. TTLs expire lazily against `now()`, so a
 * test moves a fake clock instead of sleeping. Synchronous and atomic by construction.
 */
export class MemoryStore {
  readonly now: () => number
  readonly #slots = new Map<string, Slot>()
  readonly #appendListeners = new Map<string, Set<() => void>>()

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now
  }

  #slot(key: string): Slot | undefined {
    const slot = this.#slots.get(key)
    if (slot?.expiresAt !== undefined && slot.expiresAt <= this.now()) {
      this.#slots.delete(key)
      return undefined
    }
    return slot
  }

  #typed<K extends Data['kind']>(key: string, kind: K): Extract<Data, { kind: K }> | undefined {
    const slot = this.#slot(key)
    if (!slot) return undefined
    if (slot.data.kind !== kind) throw wrongType()
    return slot.data as Extract<Data, { kind: K }>
  }

  #expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.now() + ttlMs
  }

  set(key: string, value: ControlValue, ttlMs?: number, ifAbsent?: boolean): boolean {
    if (ifAbsent && this.#slot(key)) return false
    this.#slots.set(key, {
      data: { kind: 'string', value: toBytes(value) },
      expiresAt: this.#expiry(ttlMs),
    })
    return true
  }

  get(key: string): Uint8Array | undefined {
    return this.#typed(key, 'string')?.value.slice()
  }

  del(keys: readonly string[]): number {
    let n = 0
    for (const key of keys) if (this.#slot(key) && this.#slots.delete(key)) n++
    return n
  }

  /** True when the string at `key` equals `expected` (`undefined`: the key is absent). */
  matches(key: string, expected: ControlValue | undefined): boolean {
    const current = this.#slot(key)
    if (expected === undefined) return current === undefined
    if (current?.data.kind !== 'string') return false
    return sameBytes(current.data.value, toBytes(expected))
  }

  pexpire(key: string, ttlMs: number): boolean {
    const slot = this.#slot(key)
    if (!slot) return false
    slot.expiresAt = this.#expiry(ttlMs)
    return true
  }

  pttl(key: string): number | undefined {
    const slot = this.#slot(key)
    if (!slot) return undefined
    return slot.expiresAt === undefined ? Number.POSITIVE_INFINITY : slot.expiresAt - this.now()
  }

  incrBy(key: string, delta: number): number {
    const slot = this.#slot(key)
    const current = this.#typed(key, 'string')
    const text = current ? new TextDecoder().decode(current.value) : '0'
    const value = Number(text)
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value + delta)) {
      throw new StateError('ERR value is not an integer or out of range')
    }
    const next = value + delta
    this.#slots.set(key, {
      data: { kind: 'string', value: encoder.encode(String(next)) },
      expiresAt: slot?.expiresAt,
    })
    return next
  }

  hset(key: string, fields: Readonly<Record<string, ControlValue>>): void {
    if (Object.keys(fields).length === 0) return
    let hash = this.#typed(key, 'hash')
    if (!hash) {
      hash = { kind: 'hash', fields: new Map() }
      this.#slots.set(key, { data: hash, expiresAt: undefined })
    }
    for (const [field, value] of Object.entries(fields)) hash.fields.set(field, toBytes(value))
  }

  hget(key: string, field: string): Uint8Array | undefined {
    return this.#typed(key, 'hash')?.fields.get(field)?.slice()
  }

  hgetall(key: string): Map<string, Uint8Array> {
    const fields = this.#typed(key, 'hash')?.fields ?? new Map<string, Uint8Array>()
    return new Map([...fields].map(([k, v]) => [k, v.slice()]))
  }

  hdel(key: string, fields: readonly string[]): number {
    const hash = this.#typed(key, 'hash')
    if (!hash) return 0
    let n = 0
    for (const field of fields) if (hash.fields.delete(field)) n++
    if (hash.fields.size === 0) this.#slots.delete(key)
    return n
  }

  xadd(key: string, fields: Readonly<Record<string, ControlValue>>, maxLen?: number): string {
    let stream = this.#typed(key, 'stream')
    if (!stream) {
      stream = { kind: 'stream', entries: [], last: { ms: 0, seq: 0 } }
      this.#slots.set(key, { data: stream, expiresAt: undefined })
    }
    const now = this.now()
    stream.last =
      now > stream.last.ms ? { ms: now, seq: 0 } : { ms: stream.last.ms, seq: stream.last.seq + 1 }
    const id = formatStreamId(stream.last)
    const copy = new Map(Object.entries(fields).map(([k, v]) => [k, toBytes(v)]))
    stream.entries.push({ id, fields: copy })
    if (maxLen !== undefined && stream.entries.length > maxLen) {
      stream.entries.splice(0, stream.entries.length - maxLen)
    }
    for (const listener of this.#appendListeners.get(key) ?? []) listener()
    return id
  }

  xrange(key: string, start: string, end: string, count?: number, reverse = false): StreamEntry[] {
    const entries = this.#typed(key, 'stream')?.entries ?? []
    const from = rangeBound(start, 'start')
    const to = rangeBound(end, 'end')
    const selected = entries.filter((e) => {
      const id = parseStreamId(e.id)
      return from(id) && to(id)
    })
    if (reverse) selected.reverse()
    return (count === undefined ? selected : selected.slice(0, count)).map(copyEntry)
  }

  /** Entries after `afterId` (exclusive), oldest first, at most `count`. */
  xafter(key: string, afterId: StreamEntryId, count: number): StreamEntry[] {
    return this.xrange(key, `(${afterId}`, '+', count)
  }

  /** Call `listener` on every append to `key`; returns the function that unsubscribes. */
  onAppend(key: string, listener: () => void): () => void {
    let set = this.#appendListeners.get(key)
    if (!set) {
      set = new Set()
      this.#appendListeners.set(key, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.#appendListeners.delete(key)
    }
  }

  scan(pattern: string): string[] {
    const re = globPattern(pattern)
    return [...this.#slots.keys()].filter((key) => re.test(key) && this.#slot(key) !== undefined)
  }
}

function copyEntry(entry: StreamEntry): StreamEntry {
  return { id: entry.id, fields: new Map([...entry.fields].map(([k, v]) => [k, v.slice()])) }
}
