import { randomUUID } from 'node:crypto'
import { ConfigError, StateError, UpstreamClosedError } from '../errors.js'
import { ServiceBase } from '../service/service-base.js'
import { checkDelta, checkFields, checkMaxLen, checkPositiveInt } from './command-checks.js'
import { type ControlKeys, controlKeys } from './control-keys.js'
import {
  type ControlPlane,
  type ControlValue,
  DEFAULT_XREAD_COUNT,
  type SetOptions,
  type StreamEntry,
  type StreamEntryId,
  type XAddOptions,
  type XRangeOptions,
  type XReadOptions,
} from './control-plane.js'
import { MemoryStore } from './memory-store.js'
import { parseStreamId } from './stream-id.js'

/** Options of {@link createMemoryControlPlane}. */
export interface MemoryControlPlaneOptions {
  /** Key prefix (see `KeyPrefix`); default `beamloom`. */
  readonly keyPrefix?: string
  /** Share data with other planes (like processes sharing one Redis); default: a new store. */
  readonly store?: MemoryStore
  /** Clock of a new store, in epoch ms (ignored when `store` is given); default `Date.now`. */
  readonly now?: () => number
}

interface PendingRead {
  fail(err: Error): void
}

/**
 * The in-process control plane: the embedded default of `beamloom up`, `replay` and unit
 * tests. Honours the {@link ControlPlane} contract exactly like the Redis implementation;
 * values are copied in and out, so nothing is shared by reference between planes.
 * Call `start()` before use.
 * @throws ConfigError `CONFIG_INVALID` for an invalid key prefix.
 */
export function createMemoryControlPlane(options: MemoryControlPlaneOptions = {}): ControlPlane {
  const store = options.store ?? new MemoryStore(options.now ? { now: options.now } : {})
  return new MemoryControlPlane(controlKeys(options.keyPrefix ?? 'beamloom'), store)
}

class MemoryControlPlane extends ServiceBase implements ControlPlane {
  readonly keys: ControlKeys
  readonly #store: MemoryStore
  readonly #reads = new Set<PendingRead>()

  constructor(keys: ControlKeys, store: MemoryStore) {
    super(`memory control plane '${keys.prefix}'`)
    this.keys = keys
    this.#store = store
  }

  protected override async onStart(): Promise<void> {
    this.addCloseStep('pending reads', () => {
      const closed = new UpstreamClosedError(`${this.name} closed during a blocking read`)
      for (const read of [...this.#reads]) read.fail(closed)
    })
    // The epoch, as the Redis plane writes it (this store never loses its data).
    this.#store.set(this.keys.epoch(), randomUUID(), undefined, true)
  }

  /** Run a synchronous store operation as a command, after the state and key checks. */
  #run<T>(keys: readonly string[], op: () => T): T {
    if (this.state !== 'running') throw new StateError(`${this.name} is ${this.state}`)
    for (const key of keys) {
      if (!key.startsWith(`${this.keys.prefix}:`)) {
        throw new ConfigError(`key '${key}' is outside the prefix '${this.keys.prefix}'`)
      }
    }
    return op()
  }

  async set(key: string, value: ControlValue, opts: SetOptions = {}): Promise<boolean> {
    checkPositiveInt('ttlMs', opts.ttlMs)
    return this.#run([key], () => this.#store.set(key, value, opts.ttlMs, opts.ifAbsent))
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#run([key], () => this.#store.get(key))
  }

  async del(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys
    return this.#run(list, () => this.#store.del(list))
  }

  async compareAndSwap(
    key: string,
    expected: ControlValue | undefined,
    next: ControlValue,
    opts: { readonly ttlMs?: number } = {},
  ): Promise<boolean> {
    checkPositiveInt('ttlMs', opts.ttlMs)
    return this.#run([key], () => {
      if (!this.#store.matches(key, expected)) return false
      return this.#store.set(key, next, opts.ttlMs)
    })
  }

  async compareAndDelete(key: string, expected: ControlValue): Promise<boolean> {
    return this.#run([key], () => this.#store.matches(key, expected) && this.#store.del([key]) > 0)
  }

  async compareAndExpire(key: string, expected: ControlValue, ttlMs: number): Promise<boolean> {
    checkPositiveInt('ttlMs', ttlMs)
    return this.#run(
      [key],
      () => this.#store.matches(key, expected) && this.#store.pexpire(key, ttlMs),
    )
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    checkPositiveInt('ttlMs', ttlMs)
    return this.#run([key], () => this.#store.pexpire(key, ttlMs))
  }

  async pttl(key: string): Promise<number | undefined> {
    return this.#run([key], () => this.#store.pttl(key))
  }

  async incrBy(key: string, delta = 1): Promise<number> {
    checkDelta(delta)
    return this.#run([key], () => this.#store.incrBy(key, delta))
  }

  async hset(key: string, fields: Readonly<Record<string, ControlValue>>): Promise<void> {
    return this.#run([key], () => this.#store.hset(key, fields))
  }

  async hget(key: string, field: string): Promise<Uint8Array | undefined> {
    return this.#run([key], () => this.#store.hget(key, field))
  }

  async hgetall(key: string): Promise<Map<string, Uint8Array>> {
    return this.#run([key], () => this.#store.hgetall(key))
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    return this.#run([key], () => this.#store.hdel(key, fields))
  }

  async xadd(
    key: string,
    fields: Readonly<Record<string, ControlValue>>,
    opts: XAddOptions = {},
  ): Promise<StreamEntryId> {
    checkFields(fields)
    checkMaxLen(opts.maxLen)
    return this.#run([key], () => this.#store.xadd(key, fields, opts.maxLen))
  }

  async xrange(key: string, opts: XRangeOptions = {}): Promise<StreamEntry[]> {
    checkPositiveInt('count', opts.count)
    return this.#run([key], () =>
      this.#store.xrange(key, opts.start ?? '-', opts.end ?? '+', opts.count),
    )
  }

  async xrevrange(key: string, opts: XRangeOptions = {}): Promise<StreamEntry[]> {
    checkPositiveInt('count', opts.count)
    return this.#run([key], () =>
      this.#store.xrange(key, opts.start ?? '-', opts.end ?? '+', opts.count, true),
    )
  }

  async xread(
    key: string,
    afterId: StreamEntryId,
    opts: XReadOptions = {},
  ): Promise<StreamEntry[]> {
    checkPositiveInt('count', opts.count)
    parseStreamId(afterId)
    const count = opts.count ?? DEFAULT_XREAD_COUNT
    const signal = opts.signal
    // Check and subscribe in one synchronous step, so no append can slip in between.
    const ready = this.#run([key], () => this.#store.xafter(key, afterId, count))
    if (ready.length > 0) return ready
    signal?.throwIfAborted()
    return new Promise<StreamEntry[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const finish = (): void => {
        unsubscribe()
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        this.#reads.delete(pending)
      }
      const pending: PendingRead = {
        fail: (err) => {
          finish()
          reject(err)
        },
      }
      const onAbort = (): void => pending.fail(signal?.reason)
      const unsubscribe = this.#store.onAppend(key, () => {
        const entries = this.#store.xafter(key, afterId, count)
        if (entries.length === 0) return
        finish()
        resolve(entries)
      })
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(
          () => {
            finish()
            resolve([])
          },
          Math.max(1, opts.timeoutMs),
        )
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#reads.add(pending)
    })
  }

  async scan(pattern: string): Promise<string[]> {
    return this.#run([pattern], () => this.#store.scan(pattern))
  }
}
