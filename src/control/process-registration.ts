import { StateError } from '../errors.js'
import { StreamField } from '../protocol/stream-field.js'
import { sleep } from '../service/abort.js'
import { ServiceBase } from '../service/service-base.js'
import type { ControlPlane } from './control-plane.js'
import type { ProcessEvent, ProcessInfo } from './process-info.js'

/** Entries kept in the process-events stream. */
export const PROCESS_EVENTS_MAX_LEN = 1_000

/** Info a process may change while registered. */
export type ProcessInfoUpdate = Partial<
  Pick<
    ProcessInfo,
    | 'tags'
    | 'url'
    | 'ports'
    | 'version'
    | 'streams'
    | 'endpoints'
    | 'parameters'
    | 'ingesters'
    | 'module'
  >
>

/**
 * A live registration: holds the process key with a TTL of `ttlMs`, refreshed every
 * `heartbeatMs`, until closed. Closing deletes the key at once and announces the leave.
 *
 * If the key expired anyway (the process stalled longer than the TTL and was declared gone),
 * the next heartbeat registers it again under the same instance id (a new join, counted in
 * `rejoins`). If another instance took the name meanwhile, the registration closes with
 * `STATE_INVALID`. A failing plane closes it with the plane's error.
 */
export class ProcessRegistration extends ServiceBase {
  readonly #plane: ControlPlane
  readonly #key: string
  readonly #ttlMs: number
  readonly #replace: boolean
  #info: ProcessInfo
  #value: string
  #heartbeats = 0
  #rejoins = 0
  /** Updates and heartbeats, one at a time: both compare the key with the value last written. */
  #queue: Promise<unknown> = Promise.resolve()

  /** @internal Made by `ProcessRegistry.register`. */
  constructor(plane: ControlPlane, info: ProcessInfo, ttlMs: number, replace: boolean) {
    super(`registration of ${info.role} '${info.name}'`)
    this.#plane = plane
    this.#key = plane.keys.process(info.role, info.name)
    this.#info = info
    this.#value = JSON.stringify(info)
    this.#ttlMs = ttlMs
    this.#replace = replace
  }

  /** What this process published. */
  get info(): ProcessInfo {
    return this.#info
  }

  /** Heartbeats sent so far. */
  get heartbeats(): number {
    return this.#heartbeats
  }

  /** Times the key had expired and was registered again. */
  get rejoins(): number {
    return this.#rejoins
  }

  protected override async onStart(): Promise<void> {
    const opts = { ttlMs: this.#ttlMs, ...(this.#replace ? {} : { ifAbsent: true }) }
    if (!(await this.#plane.set(this.#key, this.#value, opts))) {
      throw new StateError(`${this.#info.role} '${this.#info.name}' is already registered`)
    }
    this.addCloseStep('process key', async () => {
      if (this.#plane.state !== 'running') return
      // Delete, then announce: the announcement wakes watchers, who then find the key gone.
      await this.#plane.compareAndDelete(this.#key, this.#value)
      await this.#announce('left')
    })
    await this.#announce('joined')
    this.spawn('heartbeat', (signal) => this.#heartbeat(signal))
  }

  /**
   * Change published info (tags, url, ports, version); watchers see an `updated` change.
   * @throws StateError `STATE_INVALID` when not running or the key is no longer ours.
   */
  update(change: ProcessInfoUpdate): Promise<void> {
    return this.#serial(() => this.#update(change))
  }

  async #update(change: ProcessInfoUpdate): Promise<void> {
    if (this.state !== 'running') throw new StateError(`${this.name} is ${this.state}`)
    const info = { ...this.#info, ...change }
    const value = JSON.stringify(info)
    const opts = { ttlMs: this.#ttlMs }
    if (await this.#plane.compareAndSwap(this.#key, this.#value, value, opts)) {
      this.#info = info
      this.#value = value
      await this.#announce('updated')
      return
    }
    // The key expired or vanished (a stall, a control plane that lost its data): take it again,
    // as the heartbeat does, unless another instance has the name now.
    if (!(await this.#plane.compareAndSwap(this.#key, undefined, value, opts))) {
      throw new StateError(`${this.name}: the process key is no longer ours`)
    }
    this.#info = info
    this.#value = value
    this.#rejoins += 1
    await this.#announce('joined')
  }

  async #heartbeat(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#info.heartbeatMs, signal)
      await this.#serial(() => this.#beat())
    }
  }

  async #beat(): Promise<void> {
    if (await this.#plane.compareAndExpire(this.#key, this.#value, this.#ttlMs)) {
      this.#heartbeats += 1
      return
    }
    const opts = { ttlMs: this.#ttlMs }
    if (!(await this.#plane.compareAndSwap(this.#key, undefined, this.#value, opts))) {
      throw new StateError(`${this.name}: another instance took the name`)
    }
    this.#heartbeats += 1
    this.#rejoins += 1
    await this.#announce('joined')
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step, step)
    this.#queue = next.catch(() => undefined)
    return next
  }

  async #announce(type: ProcessEvent['type']): Promise<void> {
    const { role, name, instanceId } = this.#info
    const event: ProcessEvent = { type, role, name, instanceId }
    await this.#plane.xadd(
      this.#plane.keys.processEvents(),
      { [StreamField.entry]: JSON.stringify(event) },
      { maxLen: PROCESS_EVENTS_MAX_LEN },
    )
  }
}
