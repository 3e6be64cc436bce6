import type { Service } from '../service/service.js'
import type { ControlKeys } from './control-keys.js'

/** What the control plane stores: bytes, or text (stored as its UTF-8 bytes). */
export type ControlValue = Uint8Array | string

/**
 * An entry id of an append-only stream, Redis form `<ms>-<seq>`. Ids only grow; compare them
 * with `compareStreamIds`, never as strings.
 */
export type StreamEntryId = string

/** The id before every entry: read "after" it to read a stream from its beginning. */
export const STREAM_START: StreamEntryId = '0-0'

/** Default batch size of {@link ControlPlane.xread}. */
export const DEFAULT_XREAD_COUNT = 512

/** One entry of a stream. Field order is kept; values come back as bytes. */
export interface StreamEntry {
  readonly id: StreamEntryId
  readonly fields: ReadonlyMap<string, Uint8Array>
}

/** Options of {@link ControlPlane.set}. */
export interface SetOptions {
  /** Time to live in milliseconds (≥ 1); without it the key persists (any old TTL is dropped). */
  readonly ttlMs?: number
  /** Only set when the key does not exist (`SET NX`). */
  readonly ifAbsent?: boolean
}

/** Options of {@link ControlPlane.xadd}. */
export interface XAddOptions {
  /** Keep at most this many entries, trimming the oldest (exact `MAXLEN`). */
  readonly maxLen?: number
}

/** Options of {@link ControlPlane.xrange} and {@link ControlPlane.xrevrange}. */
export interface XRangeOptions {
  /** Lowest id, inclusive; `-` (default) for the first, `(id` for exclusive, `ms` for `ms-0`. */
  readonly start?: string
  /** Highest id, inclusive; `+` (default) for the last, `(id` for exclusive. */
  readonly end?: string
  /** At most this many entries. */
  readonly count?: number
}

/** Options of {@link ControlPlane.xread}. */
export interface XReadOptions {
  /** Cancels the wait: the read rejects with the signal's reason. */
  readonly signal?: AbortSignal
  /** Give up waiting after this many milliseconds and resolve `[]`; default: wait forever. */
  readonly timeoutMs?: number
  /** At most this many entries per batch (default 512). */
  readonly count?: number
}

/**
 * The control plane: a small subset of Redis that both implementations (Redis and in-memory)
 * honour identically. Every key must come from `keys` (the plane's one key builder); a key
 * outside the plane's prefix is refused with `CONFIG_INVALID`.
 *
 * A plane is a {@link Service}: commands are allowed only while `running`. Errors:
 * - `STATE_INVALID` — a command on a plane that is not running, or on a key of another type;
 * - `UPSTREAM_CLOSED` — the plane closed (or lost its server) while the command was in flight.
 *
 * Typed layers (registry, parameters, logs, scan state) encode their values with JSON or CBOR
 * and parse them with zod on the way back; this layer only moves bytes.
 */
export interface ControlPlane extends Service {
  /** The key builder for this plane's prefix. */
  readonly keys: ControlKeys

  /** Set a key. Resolves `false` when `ifAbsent` was given and the key existed. */
  set(key: string, value: ControlValue, opts?: SetOptions): Promise<boolean>
  /** The value, or `undefined` when the key does not exist (or expired). */
  get(key: string): Promise<Uint8Array | undefined>
  /** Delete keys of any type; resolves how many existed. */
  del(keys: string | readonly string[]): Promise<number>
  /**
   * Atomically replace the value when it equals `expected` (`undefined`: when the key is
   * absent). The new value gets `ttlMs` or no TTL. Resolves whether it was replaced.
   */
  compareAndSwap(
    key: string,
    expected: ControlValue | undefined,
    next: ControlValue,
    opts?: { readonly ttlMs?: number },
  ): Promise<boolean>
  /** Atomically delete the key when its value equals `expected` (releasing a lease). */
  compareAndDelete(key: string, expected: ControlValue): Promise<boolean>
  /** Atomically set the TTL when the value equals `expected` (renewing a lease). */
  compareAndExpire(key: string, expected: ControlValue, ttlMs: number): Promise<boolean>
  /** Set a key's TTL in milliseconds; resolves `false` when the key does not exist. */
  pexpire(key: string, ttlMs: number): Promise<boolean>
  /** Remaining TTL in ms; `Infinity` for a key without TTL, `undefined` for a missing key. */
  pttl(key: string): Promise<number | undefined>
  /** Atomically add `delta` (default 1) to an integer counter (missing = 0); resolves the sum. */
  incrBy(key: string, delta?: number): Promise<number>

  /** Set hash fields. */
  hset(key: string, fields: Readonly<Record<string, ControlValue>>): Promise<void>
  /** One hash field, or `undefined`. */
  hget(key: string, field: string): Promise<Uint8Array | undefined>
  /** All fields of a hash (empty for a missing key). */
  hgetall(key: string): Promise<Map<string, Uint8Array>>
  /** Delete hash fields; resolves how many existed. */
  hdel(key: string, fields: readonly string[]): Promise<number>

  /** Append an entry to a stream (created if missing); resolves its id. */
  xadd(
    key: string,
    fields: Readonly<Record<string, ControlValue>>,
    opts?: XAddOptions,
  ): Promise<StreamEntryId>
  /** Entries between two ids, oldest first. */
  xrange(key: string, opts?: XRangeOptions): Promise<StreamEntry[]>
  /** Entries between two ids, newest first (`count: n` reads the last n). */
  xrevrange(key: string, opts?: XRangeOptions): Promise<StreamEntry[]>
  /**
   * Entries with ids greater than `afterId`, oldest first. Resolves at once when there are
   * some; otherwise waits until one is appended (resolving that batch), `timeoutMs` passes
   * (resolving `[]`) or `signal` aborts (rejecting with its reason). Blocking reads never
   * delay other commands of the plane. Closing the plane rejects a pending read with
   * `UPSTREAM_CLOSED`.
   */
  xread(key: string, afterId: StreamEntryId, opts?: XReadOptions): Promise<StreamEntry[]>

  /** Every existing key matching a glob (`*`, `?`, `[…]`, `\`) under the plane's prefix. */
  scan(pattern: string): Promise<string[]>
}
