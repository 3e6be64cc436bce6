import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { formatIssues } from '../config/format-issues.js'
import { redactRedisUrl } from '../config/redis-url.js'
import { ConfigError, StateError, UpstreamClosedError } from '../errors.js'
import { toError } from '../service/abort.js'
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
import { LUA_CAS, LUA_COMPARE_DELETE, LUA_COMPARE_EXPIRE } from './redis-lua.js'
import {
  ioredisOptions,
  type RedisControlPlaneInput,
  RedisControlPlaneOptions,
} from './redis-options.js'
import { fieldArgs, parseReply, toArg } from './redis-replies.js'
import { closeConnection, waitReady } from './redis-wait.js'
import { parseStreamId } from './stream-id.js'

/** Notifications about the Redis connection (for logs and metrics). */
export interface RedisControlPlaneHooks {
  /** The command connection went down (`lost`) or came back (`restored`). */
  readonly onConnectionChange?: (change: 'lost' | 'restored', cause?: Error) => void
  /**
   * After a reconnection the server had lost its data (the plane's epoch key was gone or
   * changed: a Redis restarted without persistence, or flushed). Everything kept there before
   * is gone: registrations come back by themselves, scans do not.
   */
  readonly onDataLost?: () => void
  /**
   * `start()`'s first connection attempt failed; it goes on trying until `connectTimeoutMs`
   * (say so: the process is waiting, not stuck).
   */
  readonly onConnectRetrying?: (err: Error, info: { url: string; timeoutMs: number }) => void
}

/**
 * The control plane on Redis (ioredis). Options are validated at once; `start()` connects and
 * rejects with `CONFIG_INVALID` on refused credentials or `UPSTREAM_CLOSED` when no connection
 * comes up within `connectTimeoutMs`. While running, a lost connection is retried with capped
 * back-off; commands wait meanwhile; after `lostAfterMs` down the plane closes and `closed`
 * resolves with an `UPSTREAM_CLOSED` error. Blocking reads use their own connections (a small
 * pool), so they never delay commands.
 * @throws ConfigError `CONFIG_INVALID` for invalid options (the password is never shown).
 */
export function createRedisControlPlane(
  input: RedisControlPlaneInput,
  hooks: RedisControlPlaneHooks = {},
): ControlPlane {
  const parsed = RedisControlPlaneOptions.safeParse(input)
  if (!parsed.success) {
    const issues = formatIssues(parsed.error)
    throw new ConfigError(`invalid Redis control plane options: ${issues}`)
  }
  return new RedisControlPlane(parsed.data, redactRedisUrl(input.url), hooks)
}

class RedisControlPlane extends ServiceBase implements ControlPlane {
  readonly keys: ControlKeys
  readonly #options: RedisControlPlaneOptions
  readonly #hooks: RedisControlPlaneHooks
  readonly #safeUrl: string
  #cmd: Redis | undefined
  readonly #idle: Redis[] = []
  readonly #blocking = new Set<Redis>()
  /** Blocking connections disconnected by an abort or an error (never pooled again). */
  readonly #dropped = new WeakSet<Redis>()
  #lostTimer: NodeJS.Timeout | undefined
  readonly #released = new AbortController()
  /** Rejecters of the commands in flight; released all at once (no listener per command). */
  readonly #inFlight = new Set<(err: Error) => void>()
  #lastError: Error | undefined
  #epoch = ''

  constructor(options: RedisControlPlaneOptions, safeUrl: string, hooks: RedisControlPlaneHooks) {
    super(`redis control plane ${safeUrl} '${options.keyPrefix}'`)
    this.keys = controlKeys(options.keyPrefix)
    this.#options = options
    this.#hooks = hooks
    this.#safeUrl = safeUrl
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    // Runs last: whatever ioredis still holds (it does not always flush its queues when
    // disconnected while reconnecting) is rejected here, so no caller waits forever.
    this.addCloseStep('in-flight commands', () => {
      this.#released.abort()
      for (const reject of this.#inFlight) reject(new Error('connection released'))
    })
    const conn = new Redis(ioredisOptions(this.#options))
    this.#cmd = conn
    this.addCloseStep('command connection', ({ force, signal }) => {
      clearTimeout(this.#lostTimer)
      return closeConnection(conn, force, signal)
    })
    this.addCloseStep('blocking connections', () => {
      for (const c of this.#blocking) c.disconnect()
      this.#blocking.clear()
      this.#idle.length = 0
    })
    conn.on('error', (err: Error) => {
      this.#lastError = err
    })
    const url = this.#safeUrl
    const timeoutMs = this.#options.connectTimeoutMs
    const onRetry = this.#hooks.onConnectRetrying
    await waitReady(conn, timeoutMs, signal, {
      url,
      ...(onRetry === undefined ? {} : { onRetrying: (err) => onRetry(err, { url, timeoutMs }) }),
    })
    this.#epoch = await this.#takeEpoch(conn)
    conn.on('close', () => this.#down())
    conn.on('ready', () => this.#up())
  }

  /** The server's epoch: set once by whoever comes first, read by everyone. */
  async #takeEpoch(conn: Redis): Promise<string> {
    const key = this.keys.epoch()
    await conn.set(key, randomUUID(), 'NX')
    return (await conn.get(key)) ?? ''
  }

  /** After a reconnection: did the server keep its data? */
  async #checkEpoch(): Promise<void> {
    const conn = this.#cmd
    if (conn === undefined || this.state !== 'running') return
    const before = this.#epoch
    try {
      const now = await conn.get(this.keys.epoch())
      if (now === before) return
      this.#epoch = await this.#takeEpoch(conn)
    } catch (err) {
      // The connection went again: the next reconnection checks again.
      this.#lastError = toError(err)
      return
    }
    this.#hooks.onDataLost?.()
  }

  #down(): void {
    if (this.state !== 'running' || this.#lostTimer !== undefined) return
    this.#hooks.onConnectionChange?.('lost', this.#lastError)
    this.#lostTimer = setTimeout(() => {
      this.fail(
        new UpstreamClosedError(
          `${this.name}: Redis unreachable for ${this.#options.lostAfterMs} ms`,
          { cause: this.#lastError },
        ),
      )
    }, this.#options.lostAfterMs)
  }

  #up(): void {
    if (this.#lostTimer === undefined) return
    clearTimeout(this.#lostTimer)
    this.#lostTimer = undefined
    this.#hooks.onConnectionChange?.('restored')
    void this.#checkEpoch()
  }

  #check(keys: readonly string[]): Redis {
    const conn = this.#cmd
    if (this.state !== 'running' || !conn) throw new StateError(`${this.name} is ${this.state}`)
    for (const key of keys) {
      if (!key.startsWith(`${this.keys.prefix}:`)) {
        throw new ConfigError(`key '${key}' is outside the prefix '${this.keys.prefix}'`)
      }
    }
    return conn
  }

  #mapError(err: unknown): Error {
    const error = toError(err)
    if (this.state !== 'running') {
      return new UpstreamClosedError(`${this.name} closed while a command was in flight`, {
        cause: error,
      })
    }
    if (error.name === 'ReplyError') return new StateError(error.message, { cause: error })
    return new UpstreamClosedError(`${this.name}: ${error.message}`, { cause: error })
  }

  async #call(keys: readonly string[], command: string, args: (string | Buffer | number)[]) {
    return this.#settle(this.#check(keys).callBuffer(command, args))
  }

  /**
   * Await a reply, mapping errors, and giving up once the plane has released its connections
   * or `signal` aborts (rejecting with its reason).
   */
  async #settle<T>(reply: Promise<T>, signal?: AbortSignal): Promise<T> {
    // Safe: the reply is also awaited below; this only keeps a late rejection from being
    // reported as unhandled after the race was decided.
    reply.catch(() => {})
    let reject: ((err: Error) => void) | undefined
    const released = new Promise<never>((_, rej) => {
      reject = rej
    })
    if (this.#released.signal.aborted) reject?.(new Error('connection released'))
    else if (reject) this.#inFlight.add(reject)
    const onAbort = (): void => reject?.(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      return await Promise.race([reply, released])
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      throw this.#mapError(err)
    } finally {
      signal?.removeEventListener('abort', onAbort)
      if (reject) this.#inFlight.delete(reject)
    }
  }

  async set(key: string, value: ControlValue, opts: SetOptions = {}): Promise<boolean> {
    checkPositiveInt('ttlMs', opts.ttlMs)
    const args = [key, toArg(value)]
    if (opts.ttlMs !== undefined) args.push('PX', String(opts.ttlMs))
    if (opts.ifAbsent) args.push('NX')
    return (await this.#call([key], 'SET', args)) !== null
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return parseReply.bytes(await this.#call([key], 'GET', [key]), 'GET')
  }

  async del(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : [...keys]
    if (list.length === 0) return 0
    return parseReply.integer(await this.#call(list, 'DEL', list), 'DEL')
  }

  async compareAndSwap(
    key: string,
    expected: ControlValue | undefined,
    next: ControlValue,
    opts: { readonly ttlMs?: number } = {},
  ): Promise<boolean> {
    checkPositiveInt('ttlMs', opts.ttlMs)
    const args = [
      LUA_CAS,
      1,
      key,
      expected === undefined ? '1' : '0',
      expected === undefined ? '' : toArg(expected),
      toArg(next),
      opts.ttlMs === undefined ? '' : String(opts.ttlMs),
    ]
    return parseReply.integer(await this.#call([key], 'EVAL', args), 'EVAL') === 1
  }

  async compareAndDelete(key: string, expected: ControlValue): Promise<boolean> {
    const args = [LUA_COMPARE_DELETE, 1, key, toArg(expected)]
    return parseReply.integer(await this.#call([key], 'EVAL', args), 'EVAL') === 1
  }

  async compareAndExpire(key: string, expected: ControlValue, ttlMs: number): Promise<boolean> {
    checkPositiveInt('ttlMs', ttlMs)
    const args = [LUA_COMPARE_EXPIRE, 1, key, toArg(expected), String(ttlMs)]
    return parseReply.integer(await this.#call([key], 'EVAL', args), 'EVAL') === 1
  }

  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    checkPositiveInt('ttlMs', ttlMs)
    const reply = await this.#call([key], 'PEXPIRE', [key, String(ttlMs)])
    return parseReply.integer(reply, 'PEXPIRE') === 1
  }

  async pttl(key: string): Promise<number | undefined> {
    const ms = parseReply.integer(await this.#call([key], 'PTTL', [key]), 'PTTL')
    if (ms === -2) return undefined
    return ms === -1 ? Number.POSITIVE_INFINITY : ms
  }

  async incrBy(key: string, delta = 1): Promise<number> {
    checkDelta(delta)
    return parseReply.integer(await this.#call([key], 'INCRBY', [key, String(delta)]), 'INCRBY')
  }

  async hset(key: string, fields: Readonly<Record<string, ControlValue>>): Promise<void> {
    if (Object.keys(fields).length === 0) return
    await this.#call([key], 'HSET', [key, ...fieldArgs(fields)])
  }

  async hget(key: string, field: string): Promise<Uint8Array | undefined> {
    return parseReply.bytes(await this.#call([key], 'HGET', [key, field]), 'HGET')
  }

  async hgetall(key: string): Promise<Map<string, Uint8Array>> {
    return parseReply.hash(await this.#call([key], 'HGETALL', [key]))
  }

  async hdel(key: string, fields: readonly string[]): Promise<number> {
    if (fields.length === 0) return 0
    return parseReply.integer(await this.#call([key], 'HDEL', [key, ...fields]), 'HDEL')
  }

  async xadd(
    key: string,
    fields: Readonly<Record<string, ControlValue>>,
    opts: XAddOptions = {},
  ): Promise<StreamEntryId> {
    checkFields(fields)
    checkMaxLen(opts.maxLen)
    const trim = opts.maxLen === undefined ? [] : ['MAXLEN', String(opts.maxLen)]
    const reply = await this.#call([key], 'XADD', [key, ...trim, '*', ...fieldArgs(fields)])
    return Buffer.from(parseReply.bytes(reply, 'XADD') ?? []).toString('latin1')
  }

  async xrange(key: string, opts: XRangeOptions = {}): Promise<StreamEntry[]> {
    return this.#range('XRANGE', key, opts.start ?? '-', opts.end ?? '+', opts.count)
  }

  async xrevrange(key: string, opts: XRangeOptions = {}): Promise<StreamEntry[]> {
    return this.#range('XREVRANGE', key, opts.end ?? '+', opts.start ?? '-', opts.count)
  }

  async #range(command: string, key: string, from: string, to: string, count?: number) {
    checkPositiveInt('count', count)
    const args = [key, from, to, ...(count === undefined ? [] : ['COUNT', String(count)])]
    return parseReply.range(await this.#call([key], command, args), command)
  }

  async xread(
    key: string,
    afterId: StreamEntryId,
    opts: XReadOptions = {},
  ): Promise<StreamEntry[]> {
    checkPositiveInt('count', opts.count)
    parseStreamId(afterId)
    this.#check([key])
    const { signal } = opts
    signal?.throwIfAborted()
    const conn = this.#takeIdle() ?? this.#openBlocking()
    // ioredis cannot cancel one command: an aborted read drops its connection instead, and
    // stops waiting for the reply (ioredis never settles a command of a connection dropped
    // while it was reconnecting).
    const onAbort = (): void => this.#drop(conn)
    signal?.addEventListener('abort', onAbort, { once: true })
    const blockMs = opts.timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(opts.timeoutMs))
    const count = opts.count ?? DEFAULT_XREAD_COUNT
    const args = ['COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, afterId]
    try {
      const reply = await this.#settle(conn.callBuffer('XREAD', args), signal)
      // A reply may still arrive after an abort dropped the connection: never pool that one.
      if (this.state === 'running' && !this.#dropped.has(conn)) this.#idle.push(conn)
      else this.#drop(conn)
      return parseReply.read(reply)
    } catch (err) {
      this.#drop(conn)
      if (signal?.aborted) throw signal.reason
      throw err
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** A pooled blocking connection that was not dropped, if any. */
  #takeIdle(): Redis | undefined {
    for (let conn = this.#idle.pop(); conn !== undefined; conn = this.#idle.pop()) {
      if (!this.#dropped.has(conn)) return conn
    }
    return undefined
  }

  /** Disconnect a blocking connection for good; it never returns to the pool. */
  #drop(conn: Redis): void {
    this.#dropped.add(conn)
    this.#blocking.delete(conn)
    conn.disconnect()
  }

  #openBlocking(): Redis {
    const conn = new Redis({ ...ioredisOptions(this.#options), lazyConnect: false })
    conn.on('error', (err: Error) => {
      this.#lastError = err
    })
    this.#blocking.add(conn)
    return conn
  }

  async scan(pattern: string): Promise<string[]> {
    const found = new Set<string>()
    let cursor = '0'
    do {
      const args = [cursor, 'MATCH', pattern, 'COUNT', 1000]
      const conn = this.#check([pattern])
      const [next, keys] = parseReply.scan(await this.#settle(conn.call('SCAN', args)))
      for (const key of keys) found.add(key)
      cursor = next
    } while (cursor !== '0')
    return [...found]
  }
}
