import { randomUUID } from 'node:crypto'
import { type Logger, pino } from 'pino'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { STREAM_START } from '../../../src/control/control-plane.js'
import { createMemoryControlPlane } from '../../../src/control/memory-control-plane.js'
import { MemoryStore } from '../../../src/control/memory-store.js'
import type { ProcessInfo, ProcessRole } from '../../../src/control/process-info.js'
import type { Controller } from '../../../src/controller/controller.js'
import { createController } from '../../../src/controller/create-controller.js'
import type { ScanLimits } from '../../../src/controller/scan-limits.js'
import { StreamField } from '../../../src/internal.js'
import type { ScanId } from '../../../src/protocol/ids.js'
import {
  AssignmentEntry,
  type CompletionReport,
  type CreditRequest,
  parseControlJson,
  type Range,
  ScanUpdate,
} from '../../../src/protocol/scan-messages.js'

/** A pino logger that keeps what it wrote, to fail tests that log errors unexpectedly. */
export function captureLogger(): { logger: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = []
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        const parsed = JSON.parse(line) as { level: number; msg: string }
        lines.push({ level: parsed.level, msg: parsed.msg })
      },
    },
  )
  return { logger, lines }
}

/** A process registration we control, including crashing (no more heartbeats, no leave). */
export class FakeProcess {
  readonly info: ProcessInfo
  #timer: NodeJS.Timeout | undefined
  readonly #plane: ControlPlane
  readonly #key: string

  constructor(
    plane: ControlPlane,
    role: ProcessRole,
    name: string,
    extra: Partial<ProcessInfo> = {},
  ) {
    this.#plane = plane
    this.#key = plane.keys.process(role, name)
    this.info = {
      role,
      name,
      instanceId: randomUUID(),
      tags: [],
      startedAt: Date.now(),
      pid: process.pid,
      host: 'test',
      heartbeatMs: 30,
      ...extra,
    }
  }

  /** Register with a key that lapses `ttlMs` after the last beat (long enough for a loaded machine). */
  async register(ttlMs = 2_000): Promise<void> {
    await this.#plane.set(this.#key, JSON.stringify(this.info), { ttlMs })
    const e = {
      type: 'joined',
      role: this.info.role,
      name: this.info.name,
      instanceId: this.info.instanceId,
    }
    await this.#plane.xadd(this.#plane.keys.processEvents(), {
      [StreamField.entry]: JSON.stringify(e),
    })
    this.#timer = setInterval(() => {
      this.#plane.pexpire(this.#key, ttlMs).catch(() => {})
    }, 30)
  }

  /** Stop heartbeating: the key expires and the process is declared gone. */
  crash(): void {
    clearInterval(this.#timer)
  }

  /** Leave cleanly (key deleted, leave announced). */
  async leave(): Promise<void> {
    clearInterval(this.#timer)
    await this.#plane.del(this.#key)
    const e = {
      type: 'left',
      role: this.info.role,
      name: this.info.name,
      instanceId: this.info.instanceId,
    }
    await this.#plane.xadd(this.#plane.keys.processEvents(), {
      [StreamField.entry]: JSON.stringify(e),
    })
  }
}

/** Events of a route list that name `worker`. */
function eventsFor(entry: AssignmentEntry, worker: string): number[] {
  const out = new Set<number>()
  for (const tuples of Object.values(entry.routes)) {
    for (const [from, to, workers] of tuples) {
      if (workers?.includes(worker as never)) for (let e = from; e < to; e++) out.add(e)
    }
  }
  return [...out].sort((a, b) => a - b)
}

function toRanges(events: readonly number[]): Range[] {
  const out: Range[] = []
  for (const e of events) {
    const last = out[out.length - 1]
    if (last !== undefined && last[1] === e) last[1] = e + 1
    else out.push([e, e + 1])
  }
  return out
}

/**
 * A fake worker speaking the control-plane protocol: follows scan updates, reads assignment
 * entries, "processes" every event routed to it at once (unless paused), reports the events as
 * the reducer would (a CompletionReport per batch) and asks for as many credits again.
 */
export class FakeWorker extends FakeProcess {
  readonly processed: number[] = []
  readonly entries: AssignmentEntry[] = []
  /** Every entry seen, kept. */
  readonly seen: AssignmentEntry[] = []
  paused = false
  #scanId: ScanId | undefined
  #current: AbortController | undefined
  readonly #plane: ControlPlane
  readonly #stop = new AbortController()
  readonly #window: number

  constructor(
    plane: ControlPlane,
    name: string,
    opts: { tags?: string[]; window?: number; paused?: boolean } = {},
  ) {
    super(plane, 'worker', name, { tags: opts.tags ?? ['generic'] })
    this.paused = opts.paused ?? false
    this.#plane = plane
    this.#window = opts.window ?? 8
  }

  start(): void {
    void this.#loop().catch((err: unknown) => {
      if (!this.#stop.signal.aborted) throw err
    })
  }

  stop(): void {
    this.#stop.abort()
    this.crash()
  }

  async #loop(): Promise<void> {
    const signal = this.#stop.signal
    const updates = this.#plane.keys.scanUpdates()
    let after = STREAM_START
    while (!signal.aborted) {
      const batch = await this.#plane.xread(updates, after, { signal })
      for (const u of batch) {
        after = u.id
        const update = parseControlJson(ScanUpdate, u.fields.get(StreamField.update), 'update')
        if (update.type !== 'started') continue
        this.#current?.abort()
        const current = new AbortController()
        this.#current = current
        this.entries.length = 0
        this.processed.length = 0
        this.seen.length = 0
        const both = AbortSignal.any([signal, current.signal])
        void this.#scan(update.scanId, both).catch(() => {})
      }
    }
  }

  async #scan(scanId: ScanId, signal: AbortSignal): Promise<void> {
    const keys = this.#plane.keys
    await this.#credit(scanId, this.#window)
    let after = STREAM_START
    while (!signal.aborted) {
      const batch = await this.#plane.xread(keys.assignments(scanId), after, { signal })
      for (const e of batch) {
        after = e.id
        const entry = parseControlJson(
          AssignmentEntry,
          e.fields.get(StreamField.assignment),
          'entry',
        )
        this.entries.push(entry)
        this.seen.push(entry)
        this.#scanId = scanId
        if (!this.paused) await this.#process(scanId)
      }
    }
  }

  /** Carry on after a pause: process everything routed here meanwhile. */
  async resume(): Promise<void> {
    this.paused = false
    if (this.#scanId !== undefined) await this.#process(this.#scanId)
  }

  async #process(scanId: ScanId): Promise<void> {
    const done = new Set(this.processed)
    const mine = new Set<number>()
    for (const entry of this.entries.splice(0)) {
      for (const e of eventsFor(entry, this.info.name)) if (!done.has(e)) mine.add(e)
    }
    if (mine.size === 0) return
    const events = [...mine].sort((a, b) => a - b)
    this.processed.push(...events)
    const report: CompletionReport = {
      done: [[this.info.name as never, toRanges(events)]],
      failed: 0,
    }
    await this.#plane.xadd(this.#plane.keys.completions(scanId), {
      [StreamField.message]: JSON.stringify(report),
    })
    await this.#credit(scanId, events.length)
  }

  async #credit(scanId: ScanId, credits: number): Promise<void> {
    const req: CreditRequest = { worker: this.info.name as never, credits }
    await this.#plane.xadd(this.#plane.keys.credits(scanId), {
      [StreamField.message]: JSON.stringify(req),
    })
  }
}

/** A test bed: one memory store, planes for the controller and the fakes, cleanup. */
export async function testBed(
  create?: (prefix: string) => ControlPlane,
  afterAll: (prefix: string) => Promise<void> = async () => {},
) {
  const store = new MemoryStore()
  const prefix = `c-${randomUUID().slice(0, 8)}`
  const planes: ControlPlane[] = []
  const plane = async (): Promise<ControlPlane> => {
    const p = create?.(prefix) ?? createMemoryControlPlane({ keyPrefix: prefix, store })
    planes.push(p)
    await p.start()
    return p
  }
  const fakes = await plane()
  const { logger, lines } = captureLogger()
  const controllers: Controller[] = []
  const workers: FakeWorker[] = []
  const timers: FakeProcess[] = []
  const controller = async (
    start = true,
    stall: {
      stallWarnMs?: number
      stallTimeoutMs?: number
      limits?: ScanLimits
      allowUndescribedParameters?: boolean
    } = {},
  ): Promise<Controller> => {
    const c = createController(
      {
        name: 'controller',
        lookaheadEvents: 100_000,
        horizonEvents: 100_000,
        scanRetentionMs: 60_000,
        controlPlane: { heartbeatMs: 30 },
        ...stall,
      },
      { plane: await plane(), logger },
    )
    controllers.push(c)
    if (start) await c.start()
    return c
  }
  const ingester = async (name: string, streams: string[]): Promise<FakeProcess> => {
    const p = new FakeProcess(fakes, 'ingester', name, {
      streams,
      endpoints: { data: 'tcp://127.0.0.1:1' },
    })
    await p.register()
    timers.push(p)
    return p
  }
  const worker = async (
    name: string,
    opts: { tags?: string[]; window?: number; paused?: boolean } = {},
  ): Promise<FakeWorker> => {
    const w = new FakeWorker(fakes, name, opts)
    await w.register()
    w.start()
    workers.push(w)
    return w
  }
  const cleanup = async (): Promise<void> => {
    for (const w of workers) w.stop()
    for (const t of timers) t.crash()
    await Promise.all(controllers.map((c) => c.close()))
    await Promise.all(planes.map((p) => p.close()))
    await afterAll(prefix)
  }
  const errors = () => lines.filter((l) => l.level >= 50)
  return { fakes, plane, controller, ingester, worker, cleanup, errors, lines, prefix, store }
}
