import type { MessagePort } from 'node:worker_threads'
import { BeamloomError, isErrorCode, StateError, UpstreamClosedError } from '../errors.js'
import { ServiceBase } from '../service/service-base.js'
import { type ControlKeys, controlKeys } from './control-keys.js'
import type { ControlPlane, StreamEntry, StreamEntryId, XReadOptions } from './control-plane.js'

/**
 * One control plane shared with worker threads (issue 14: `beamloom up` runs its workers in
 * threads, so one scan is not bound to one event loop, while the in-memory plane lives in the
 * main thread). The thread holds a {@link createPortControlPlane} client; every call travels
 * over a `MessagePort` to {@link serveControlPlane} in the owner's thread, which runs it on the
 * real plane. Values are structured-cloned (bytes, strings, maps); errors come back as
 * `BeamloomError`s with their code; an `xread` whose signal aborts is cancelled at the owner.
 */

/** The plane's methods that travel (everything but the lifecycle and `keys`). */
const METHODS = [
  'set',
  'get',
  'del',
  'compareAndSwap',
  'compareAndDelete',
  'compareAndExpire',
  'pexpire',
  'pttl',
  'incrBy',
  'hset',
  'hget',
  'hgetall',
  'hdel',
  'xadd',
  'xrange',
  'xrevrange',
  'xread',
  'scan',
] as const
type Method = (typeof METHODS)[number]

type Request =
  | { readonly id: number; readonly method: Method; readonly args: unknown[] }
  | { readonly id: number; readonly cancel: true }
type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly message: string }

function isMethod(name: unknown): name is Method {
  return typeof name === 'string' && (METHODS as readonly string[]).includes(name)
}

/**
 * Answer calls arriving on `port` with `plane` (the owner's side). Returns a function that stops
 * answering and cancels the `xread`s still waiting; it does not close `plane` or `port`.
 */
export function serveControlPlane(plane: ControlPlane, port: MessagePort): () => void {
  const reads = new Map<number, AbortController>()
  const reply = (message: Reply): void => {
    try {
      port.postMessage(message)
    } catch {
      // The port closed (the thread ended): nobody is waiting for this answer.
    }
  }
  const onMessage = (request: Request): void => {
    if ('cancel' in request) {
      reads.get(request.id)?.abort()
      return
    }
    const { id, method, args } = request
    if (!isMethod(method)) {
      reply({ id, ok: false, code: 'PROTOCOL_INVALID', message: `no method '${String(method)}'` })
      return
    }
    if (method === 'xread') {
      const controller = new AbortController()
      reads.set(id, controller)
      const opts = (args[2] ?? {}) as XReadOptions
      args[2] = { ...opts, signal: controller.signal }
    }
    const call = (plane[method] as (...a: unknown[]) => Promise<unknown>).apply(plane, args)
    call.then(
      (value) => reply({ id, ok: true, value }),
      (err: unknown) => {
        // Not one of ours (no code): the thread gets a plain Error with the message.
        const code = err instanceof BeamloomError ? err.code : ''
        const message = err instanceof Error ? err.message : String(err)
        reply({ id, ok: false, code, message })
      },
    )
    void call.finally(() => reads.delete(id)).catch(() => {})
  }
  port.on('message', onMessage)
  return () => {
    port.off('message', onMessage)
    for (const controller of reads.values()) controller.abort()
    reads.clear()
  }
}

interface Waiting {
  readonly resolve: (value: unknown) => void
  readonly reject: (err: Error) => void
}

/** The thread's side: a control plane whose calls run in the owner's thread. */
class PortControlPlane extends ServiceBase {
  readonly keys: ControlKeys
  readonly #port: MessagePort
  readonly #waiting = new Map<number, Waiting>()
  #nextId = 1

  constructor(port: MessagePort, keyPrefix: string) {
    super(`control plane over a port '${keyPrefix}'`)
    this.keys = controlKeys(keyPrefix)
    this.#port = port
  }

  protected override async onStart(): Promise<void> {
    const port = this.#port
    port.on('message', (reply: Reply) => {
      const waiting = this.#waiting.get(reply.id)
      if (waiting === undefined) return
      this.#waiting.delete(reply.id)
      if (reply.ok) waiting.resolve(reply.value)
      else {
        waiting.reject(
          isErrorCode(reply.code)
            ? new BeamloomError(reply.code, reply.message)
            : new Error(reply.message),
        )
      }
    })
    this.addCloseStep('fail waiting calls', () => {
      for (const waiting of this.#waiting.values()) {
        // As the other planes: a call still waiting when the plane closes is upstream closed.
        waiting.reject(new UpstreamClosedError(`${this.name} closed`))
      }
      this.#waiting.clear()
      port.close()
    })
  }

  #call<T>(method: Method, args: unknown[], signal?: AbortSignal): Promise<T> {
    if (this.state !== 'running') {
      return Promise.reject(new StateError(`${this.name} is ${this.state}`))
    }
    if (signal?.aborted) return Promise.reject(signal.reason)
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.delete(id)
        this.#port.postMessage({ id, cancel: true } satisfies Request)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiting.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(value as T)
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort)
          reject(err)
        },
      })
      this.#port.postMessage({ id, method, args } satisfies Request)
    })
  }

  set: ControlPlane['set'] = (...a) => this.#call('set', a)
  get: ControlPlane['get'] = (...a) => this.#call('get', a)
  del: ControlPlane['del'] = (...a) => this.#call('del', a)
  compareAndSwap: ControlPlane['compareAndSwap'] = (...a) => this.#call('compareAndSwap', a)
  compareAndDelete: ControlPlane['compareAndDelete'] = (...a) => this.#call('compareAndDelete', a)
  compareAndExpire: ControlPlane['compareAndExpire'] = (...a) => this.#call('compareAndExpire', a)
  pexpire: ControlPlane['pexpire'] = (...a) => this.#call('pexpire', a)
  pttl: ControlPlane['pttl'] = (...a) => this.#call('pttl', a)
  incrBy: ControlPlane['incrBy'] = (...a) => this.#call('incrBy', a)
  hset: ControlPlane['hset'] = (...a) => this.#call('hset', a)
  hget: ControlPlane['hget'] = (...a) => this.#call('hget', a)
  hgetall: ControlPlane['hgetall'] = (...a) => this.#call('hgetall', a)
  hdel: ControlPlane['hdel'] = (...a) => this.#call('hdel', a)
  xadd: ControlPlane['xadd'] = (...a) => this.#call('xadd', a)
  xrange: ControlPlane['xrange'] = (...a) => this.#call('xrange', a)
  xrevrange: ControlPlane['xrevrange'] = (...a) => this.#call('xrevrange', a)
  scan: ControlPlane['scan'] = (...a) => this.#call('scan', a)

  xread(key: string, afterId: StreamEntryId, opts: XReadOptions = {}): Promise<StreamEntry[]> {
    // The signal stays here: an abort cancels the read at the owner (see serveControlPlane).
    const { signal, ...rest } = opts
    return this.#call('xread', [key, afterId, rest], signal)
  }
}

/**
 * Create (not start) the thread's side of a shared control plane: calls go over `port` to
 * {@link serveControlPlane}. `keyPrefix` must be the owner plane's (`plane.keys.prefix`).
 * Calls reject with the owner's error code; `STATE_INVALID` when not running, `UPSTREAM_CLOSED` when the plane closes while they wait; an aborted `xread`
 * with its signal's reason. `close()` closes the port.
 */
export function createPortControlPlane(port: MessagePort, keyPrefix: string): ControlPlane {
  return new PortControlPlane(port, keyPrefix)
}
