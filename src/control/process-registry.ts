import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { ConfigError, isBeamloomError } from '../errors.js'
import { StreamField } from '../protocol/stream-field.js'
import { isAbortError, sleep } from '../service/abort.js'
import type { ControlPlane, StreamEntry } from './control-plane.js'
import { lastStreamId } from './follow-stream.js'
import { parseJson } from './parse-json.js'
import { type ProcessChange, ProcessEvent, ProcessInfo, type ProcessRole } from './process-info.js'
import { type ProcessInfoUpdate, ProcessRegistration } from './process-registration.js'

/** Options of {@link createProcessRegistry}. */
/** How often a registered process renews its key unless told otherwise (`HEARTBEAT_MS`), ms. */
export const DEFAULT_HEARTBEAT_MS = 1_000

export interface ProcessRegistryOptions {
  /** Heartbeat period of registrations made here, in ms; default 1000. */
  readonly heartbeatMs?: number
  /** Key TTL as a multiple of the heartbeat (a process is gone after this many misses); default 3. */
  readonly ttlFactor?: number
  /** Called for a registry entry that does not parse (skipped); default: ignore. */
  readonly onInvalid?: (key: string, err: unknown) => void
}

/** What {@link ProcessRegistry.register} takes. */
export interface RegisterOptions {
  readonly role: ProcessRole
  readonly name: string
  readonly info?: ProcessInfoUpdate & { readonly pid?: number; readonly host?: string }
  /** Take the name even if a live registration holds it (default: refuse). */
  readonly replace?: boolean
  /**
   * While the name is taken, wait up to this long for its key to expire (a restarted process
   * whose predecessor was killed: the old key lives until its TTL ends), ms; default 0.
   */
  readonly waitIfTakenMs?: number
  /** Ends the wait for a taken name (rejects with the signal's reason). */
  readonly signal?: AbortSignal
  /** Told each time the name was found taken and the registry waits. */
  readonly onTaken?: (ttlMs: number) => void
}

/** Options of {@link ProcessRegistry.watch}. */
export interface WatchOptions {
  /** Ends the iteration cleanly. */
  readonly signal: AbortSignal
  /** Longest wait between two looks at the registry (expiry detection), ms; default heartbeat. */
  readonly pollMs?: number
  /** Report the processes already registered as joins first; default true. */
  readonly initial?: boolean
}

/**
 * Registration and liveness of every beamloom process, on any {@link ControlPlane}.
 * A process key lives while its owner heartbeats; a process that stops heartbeating is
 * declared gone when its key expires (`ttlFactor` × `heartbeatMs`).
 */
export interface ProcessRegistry {
  /**
   * Register this process and start heartbeating. Resolves a running registration; close it to
   * leave (the key is deleted at once).
   * @throws StateError `STATE_INVALID` when the role and name are taken by a live process.
   */
  register(options: RegisterOptions): Promise<ProcessRegistration>
  /** Live processes (optionally of one role), sorted by role and name. */
  list(role?: ProcessRole): Promise<ProcessInfo[]>
  /** One live process, or `undefined`. */
  get(role: ProcessRole, name: string): Promise<ProcessInfo | undefined>
  /**
   * Joins, updates and leaves, as they happen: clean leaves and joins at once (the process
   * events stream wakes the watcher), expiries within `pollMs`. Ends when `signal` aborts.
   */
  watch(options: WatchOptions): AsyncGenerator<ProcessChange, void, undefined>
}

/**
 * Create the registry facade over a plane (no I/O until used).
 * @throws ConfigError `CONFIG_INVALID` for a non-positive heartbeat or a ttlFactor below 2.
 */
export function createProcessRegistry(
  plane: ControlPlane,
  options: ProcessRegistryOptions = {},
): ProcessRegistry {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  const ttlFactor = options.ttlFactor ?? 3
  if (!Number.isSafeInteger(heartbeatMs) || heartbeatMs < 1) {
    throw new ConfigError(`heartbeatMs must be a positive integer, not ${heartbeatMs}`)
  }
  if (!(ttlFactor >= 2)) throw new ConfigError(`ttlFactor must be at least 2, not ${ttlFactor}`)
  const ttlMs = Math.ceil(heartbeatMs * ttlFactor)
  const onInvalid = options.onInvalid ?? (() => {})

  const read = async (key: string): Promise<ProcessInfo | undefined> => {
    const bytes = await plane.get(key)
    if (bytes === undefined) return undefined
    const parsed = ProcessInfo.safeParse(parseJson(bytes))
    if (parsed.success) return parsed.data
    onInvalid(key, parsed.error)
    return undefined
  }

  const list = async (role?: ProcessRole): Promise<ProcessInfo[]> => {
    const keys = (await plane.scan(plane.keys.processesPattern(role))).sort()
    const infos = await Promise.all(keys.map(read))
    return infos.filter((i): i is ProcessInfo => i !== undefined)
  }

  /** How long a vanished process may take to announce its clean leave, in ms. */
  const LEAVE_GRACE_MS = 250

  async function* watch(opts: WatchOptions): AsyncGenerator<ProcessChange, void, undefined> {
    const { signal } = opts
    const pollMs = opts.pollMs ?? heartbeatMs
    const eventsKey = plane.keys.processEvents()
    const known = new Map<string, { info: ProcessInfo; json: string }>()
    // Instances that announced a clean leave; bounded, oldest forgotten first.
    const leftCleanly = new Set<string>()
    let reportJoins = opts.initial ?? true
    try {
      let cursor = await lastStreamId(plane, eventsKey)
      const absorb = (batch: readonly StreamEntry[]): void => {
        for (const entry of batch) {
          cursor = entry.id
          const event = ProcessEvent.safeParse(parseJson(entry.fields.get(StreamField.entry)))
          if (!event.success || event.data.type !== 'left') continue
          leftCleanly.add(event.data.instanceId)
          if (leftCleanly.size > 10_000) leftCleanly.delete(leftCleanly.values().next().value ?? '')
        }
      }
      while (!signal.aborted) {
        const current = new Map((await list()).map((i) => [`${i.role}/${i.name}`, i]))
        let caughtUp = false
        for (const [id, { info }] of known) {
          const now = current.get(id)
          if (now?.instanceId === info.instanceId) continue
          if (!caughtUp && !leftCleanly.has(info.instanceId)) {
            // A clean leave deletes the key, then announces: read what came since the last
            // read, and give an announcement on its way a moment before calling it expired.
            absorb(await plane.xrange(eventsKey, { start: `(${cursor}` }))
            if (!leftCleanly.has(info.instanceId)) {
              absorb(await plane.xread(eventsKey, cursor, { signal, timeoutMs: LEAVE_GRACE_MS }))
            }
            caughtUp = true
          }
          known.delete(id)
          const reason = leftCleanly.delete(info.instanceId) ? 'closed' : 'expired'
          yield { type: 'left', process: info, reason }
        }
        for (const [id, info] of current) {
          const json = JSON.stringify(info)
          const before = known.get(id)
          if (before?.json === json) continue
          known.set(id, { info, json })
          if (before) yield { type: 'updated', process: info }
          else if (reportJoins) yield { type: 'joined', process: info }
        }
        reportJoins = true
        absorb(await plane.xread(eventsKey, cursor, { signal, timeoutMs: pollMs }))
      }
    } catch (err) {
      if (isAbortError(err, signal)) return
      throw err
    }
  }

  return {
    register: async (opts) => {
      const parsed = ProcessInfo.safeParse({
        tags: [],
        ...opts.info,
        role: opts.role,
        name: opts.name,
        instanceId: randomUUID(),
        startedAt: Date.now(),
        pid: opts.info?.pid ?? process.pid,
        host: opts.info?.host ?? hostname(),
        heartbeatMs,
      })
      if (!parsed.success) {
        throw new ConfigError(`invalid process info: ${parsed.error.message}`, {
          cause: parsed.error,
        })
      }
      const info = parsed.data
      const deadline = Date.now() + (opts.waitIfTakenMs ?? 0)
      for (;;) {
        const registration = new ProcessRegistration(plane, info, ttlMs, opts.replace ?? false)
        try {
          await registration.start()
          return registration
        } catch (err) {
          if (!isBeamloomError(err, 'STATE_INVALID') || Date.now() >= deadline) throw err
        }
        const left = (await plane.pttl(plane.keys.process(opts.role, opts.name))) ?? 0
        opts.onTaken?.(left)
        await sleep(Math.max(1, Math.min(left, heartbeatMs, deadline - Date.now())), opts.signal)
      }
    },
    list,
    get: (role, name) => read(plane.keys.process(role, name)),
    watch,
  }
}
