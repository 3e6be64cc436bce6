import { randomUUID } from 'node:crypto'
import { type Logger, pino } from 'pino'
import type { ControlPlane } from '../control/control-plane.js'
import { createLogStream, type LogEntry, type LogStream } from '../control/log-stream.js'
import { createParameterStore } from '../control/parameter-store.js'
import type { ProcessInfo } from '../control/process-info.js'
import {
  createProcessRegistry,
  DEFAULT_HEARTBEAT_MS,
  type ProcessRegistry,
} from '../control/process-registry.js'
import { isBeamloomError, StateError } from '../errors.js'
import { compileScanPlan, type Sequence } from '../mapping/index.js'
import { ScanId } from '../protocol/ids.js'
import type { ScanState } from '../protocol/scan-messages.js'
import { sleep } from '../service/abort.js'
import { defaultLogger } from '../service/default-logger.js'
import { ServiceBase } from '../service/service-base.js'
import { checkScan } from './check-scan.js'
import {
  addStats,
  type ControllerDeps,
  type ControllerOptions,
  type ControllerStats,
  EMPTY_RUN,
  type Progress,
} from './controller-types.js'
import { buildEnsemble, type EnsembleState } from './ensemble.js'
import { createParameterApi, type ParameterApi, type ParameterSetResult } from './parameter-api.js'
import { registerController } from './register-controller.js'
import { checkScanLimits, DEFAULT_SCAN_LIMITS, type ScanLimits } from './scan-limits.js'
import { createScanRecords, type ScanRecords } from './scan-records.js'
import { type RunWorker, ScanRun, type ScanRunStats } from './scan-run.js'
import { ScanWatch, type Stall } from './scan-watch.js'
import { isUpstreamLost } from './upstream-lost.js'
import type { WorkerLoad } from './worker-load.js'

/**
 * The controller service: owns the scan. Registers in the registry, follows worker joins and
 * leaves, runs one {@link ScanRun} at a time, ends it (finished, stopped, replaced, upstream
 * lost) and resumes a running scan after a restart. The HTTP layer calls its methods.
 */
export class Controller extends ServiceBase {
  readonly plane: ControlPlane
  readonly logs: LogStream
  readonly parameters: ParameterApi
  readonly logger: Logger
  readonly #o: ControllerOptions
  readonly #version: string | undefined
  readonly #registry: ProcessRegistry
  readonly #records: ScanRecords
  readonly #heartbeatMs: number
  #run: ScanRun | undefined
  /** The last ended run, for its load figures until the next scan. */
  #lastRun: ScanRun | undefined
  #last: { state: ScanState; progress: Progress } | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #totals: ScanRunStats = EMPTY_RUN
  #scansStarted = 0
  #watch: ScanWatch | undefined

  constructor(options: ControllerOptions, deps: ControllerDeps) {
    super(`controller '${options.name}'`)
    this.#o = options
    this.plane = deps.plane
    this.logger = deps.logger ?? defaultLogger('controller', () => pino({ level: 'info' }))
    this.#version = deps.version
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
    this.#registry = createProcessRegistry(this.plane, { heartbeatMs: this.#heartbeatMs })
    this.#records = createScanRecords(this.plane)
    this.logs = createLogStream(this.plane)
    this.parameters = createParameterApi(
      this.#registry,
      createParameterStore(this.plane),
      (process, message) => this.logger.warn({ process, message }, 'parameter description skipped'),
      { allowUndescribed: options.allowUndescribedParameters ?? false },
    )
  }

  /** The scan being run, if any. */
  get run(): ScanRun | undefined {
    return this.#run
  }

  /** The scan being run, or else the last one that ended (for its status). */
  get lastRun(): ScanRun | undefined {
    return this.#run ?? this.#lastRun
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    const registration = await registerController(
      this.#registry,
      this.#o,
      this.#heartbeatMs,
      signal,
    )
    this.addCloseStep('registration', () => registration.close())
    this.addCloseStep('scan run', async ({ force }) => {
      await this.#run?.close({ force })
    })
    signal.throwIfAborted()
    await this.#resume()
    signal.throwIfAborted()
    this.spawn('registry', async (s) => {
      for await (const change of this.#registry.watch({ signal: s })) {
        const p = change.process
        if (change.type === 'left' && p.role !== 'worker') await this.#lost(p, change.reason)
        if (p.role !== 'worker') continue
        if (change.type === 'left') {
          const run = this.#run
          if (run !== undefined) this.#workerGone(run, p.name, change.reason)
        } else this.#run?.addWorker(p)
      }
    })
    this.spawn('reconcile', async (s) => {
      while (!s.aborted) {
        await sleep(this.#heartbeatMs * 3, s)
        const run = this.#run
        if (run === undefined) continue
        if ((await this.#records.read(run.scan.scanId)) === undefined) {
          // The scan's own state is gone: the control plane lost its data (a Redis restarted
          // without persistence, a flush). Nothing of the scan can be trusted any more.
          const reason =
            'the control plane lost the scan (its state vanished from Redis: restarted without its data?)'
          this.#exclusive(() => this.#end(run, 'failed', reason)).catch((err: unknown) =>
            this.fail(err),
          )
          continue
        }
        this.#sync(run, await this.#registry.list('worker'))
      }
    })
    this.spawn('watch', (s) => this.#watchProgress(s))
    this.spawn('upstream', async (s) => {
      for await (const { entry } of this.logs.follow({ signal: s })) this.#onLog(entry)
    })
  }

  /**
   * Start a scan: validate against the live ensemble, end the running scan (`replaced`), write
   * the state (numbered 1, 2, 3, … per control plane; `name` when given), announce `started`.
   * Resolves the new scan id.
   * @throws MappingInvalidError `MAPPING_INVALID` naming missing streams or too few workers.
   */
  startScan(
    sequence: Sequence,
    allWrap: boolean,
    options: { name?: string } = {},
  ): Promise<ScanId> {
    return this.#exclusive(async () => {
      this.#checkRunning()
      checkScanLimits(sequence, allWrap, this.limits)
      const plan = compileScanPlan(sequence, { allWrap })
      const [ingesters, workers] = await Promise.all([
        this.#registry.list('ingester'),
        this.#registry.list('worker'),
      ])
      checkScan(sequence, plan, ingesters, workers)
      if (this.#run !== undefined) await this.#end(this.#run, 'stopped', 'replaced')
      const number = await this.plane.incrBy(this.plane.keys.scanNumber())
      const state: ScanState = {
        scanId: ScanId.parse(randomUUID()),
        number,
        ...(options.name === undefined ? {} : { name: options.name }),
        sequence,
        allWrap,
        totalEvents: plan.eventCount,
        streams: [...plan.streams],
        status: 'running',
        createdAt: new Date().toISOString(),
      }
      const run = this.#newRun(state, plan)
      for (const w of workers) run.addWorker(w)
      await this.#records.write(state)
      await this.#records.announce({ type: 'started', scanId: state.scanId })
      this.#scansStarted += 1
      await this.#begin(run)
      this.#note(
        'info',
        `scan ${number}${options.name === undefined ? '' : ` (${options.name})`} started: ${plan.eventCount} events (${state.scanId})`,
        state.scanId,
      )
      return state.scanId
    })
  }

  /** The largest scan this controller accepts. */
  get limits(): ScanLimits {
    return this.#o.limits ?? DEFAULT_SCAN_LIMITS
  }

  /** Stop the running scan (`stopped`); resolves whether one was running. */
  stop(reason = 'stopped by operator'): Promise<boolean> {
    return this.#exclusive(async () => {
      const run = this.#run
      if (run === undefined) return false
      await this.#end(run, 'stopped', reason)
      return true
    })
  }

  /** State of the current (or last) scan. */
  scan(): ScanState | undefined {
    return this.#last?.state
  }

  /** Progress of the current (or last) scan. */
  progress(): Progress {
    const run = this.#run
    if (run !== undefined) {
      const a = run.assigner
      const stall = this.#watch?.stall
      return {
        last_assigned: a.releasedFrontier,
        completed_events: a.completedFrontier,
        total_events: a.plan.eventCount,
        finished: false,
        status: 'running',
        failed_events: run.stats.failedEvents,
        ...(run.failedStreams.size === 0
          ? {}
          : { failed_streams: Object.fromEntries(run.failedStreams) }),
        ...(stall === undefined
          ? {}
          : {
              waiting_for: stall.waitingFor,
              stalled_for_s: Math.round((Date.now() - stall.since) / 1000),
            }),
      }
    }
    return (
      this.#last?.progress ?? {
        last_assigned: 0,
        completed_events: 0,
        total_events: 0,
        finished: false,
        status: 'idle',
      }
    )
  }

  /** What the running scan waits for when it makes no progress (see `CONTROLLER_STALL_WARN_MS`). */
  stall(): Stall | undefined {
    return this.#run === undefined ? undefined : this.#watch?.stall
  }

  /** Per-worker load of the running (or last) scan (intervals in seconds). */
  load(intervals: readonly number[], scan: boolean): Record<string, WorkerLoad> {
    return (this.#run ?? this.#lastRun)?.load.load(intervals, scan) ?? {}
  }

  /** Counters since start, over every scan. */
  stats(): ControllerStats {
    const sum = addStats(this.#totals, this.#run?.stats ?? EMPTY_RUN)
    return { ...sum, scansStarted: this.#scansStarted, activeWorkers: this.#run?.members.size ?? 0 }
  }

  /** The live ensemble (Dranspose's `EnsembleState`). */
  async ensemble(): Promise<EnsembleState> {
    const [processes, params] = await Promise.all([
      this.#registry.list(),
      this.parameters.current(),
    ])
    const run = this.#run
    return buildEnsemble(processes, {
      scanId: run?.scan.scanId,
      scanStreams: new Set(run?.scan.streams ?? []),
      scanWorkers: run?.members ?? new Map(),
      processed: run?.load.totals() ?? new Map(),
      version: this.#version,
      parametersVersion: params.version,
      parametersHash: params.hash,
    })
  }

  /**
   * Set a parameter from raw bytes (validated against the live description, stored as a new
   * version) and note it in the log stream.
   * @throws BeamloomError `PARAMETER_INVALID` when the bytes do not parse as its dtype.
   */
  async setParameter(name: string, bytes: Uint8Array): Promise<ParameterSetResult> {
    const result = await this.parameters.set(name, bytes)
    this.#note(
      'info',
      `parameter '${name}' set (${bytes.byteLength} bytes, version ${result.version})`,
    )
    return result
  }

  /** Ready: running, with a control plane that answers. */
  async isReady(): Promise<boolean> {
    if (this.state !== 'running' || this.plane.state !== 'running') return false
    try {
      await this.plane.pttl(this.plane.keys.controllerLease())
      return true
    } catch {
      // Any failure of the probe means "not ready"; the plane reports real loss on its own.
      return false
    }
  }

  /** Streams served by live ingesters. */
  async servedStreams(): Promise<Set<string>> {
    return new Set((await this.#registry.list('ingester')).flatMap((i) => i.streams ?? []))
  }

  #newRun(
    state: ScanState,
    plan = compileScanPlan(state.sequence as Sequence, { allWrap: state.allWrap }),
  ): ScanRun {
    const run: ScanRun = new ScanRun({
      plane: this.plane,
      state,
      plan,
      assigner: { lookaheadEvents: this.#o.lookaheadEvents, horizonEvents: this.#o.horizonEvents },
      logger: this.logger,
      lookupWorker: (name) => this.#registry.get('worker', name),
      ...(this.#o.eventAttempts === undefined ? {} : { maxAttempts: this.#o.eventAttempts }),
      onEventFailed: (event, worker, attempts, reason) =>
        this.#note(
          'warn',
          `event ${event} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (the last on worker '${worker}'): ${reason}; it is not handed on again`,
          state.scanId,
        ),
      onEventRetried: (event, worker, attempts, reason) =>
        this.#note(
          'warn',
          `event ${event}: attempt ${attempts} failed on worker '${worker}' (${reason}); another worker takes it`,
          state.scanId,
        ),
      onFinished: () => {
        this.#exclusive(() => this.#end(run, 'finished')).catch((err: unknown) => this.fail(err))
      },
    })
    return run
  }

  async #begin(run: ScanRun): Promise<void> {
    this.#run = run
    this.#watch = new ScanWatch(
      { warnAfterMs: this.#o.stallWarnMs ?? 30_000, failAfterMs: this.#o.stallTimeoutMs ?? 0 },
      Date.now(),
    )
    this.#last = { state: run.scan, progress: this.progress() }
    await run.start()
    void run.closed.then((err) => {
      if (err !== undefined && this.#run === run) this.fail(err)
    })
  }

  async #end(
    run: ScanRun,
    status: 'finished' | 'stopped' | 'failed',
    reason?: string,
  ): Promise<void> {
    if (this.#run !== run) return
    const { waiting_for: _w, stalled_for_s: _s, ...progress } = this.progress()
    const final: Progress = {
      ...progress,
      finished: true,
      status,
      ...(reason === undefined ? {} : { reason }),
    }
    this.#run = undefined
    this.#lastRun = run
    // Until the end is written and announced, the scan still reads as running (a client that
    // sees `finished` finds the `scan-updates` entry).
    this.#last = { state: run.scan, progress: { ...final, finished: false, status: 'running' } }
    await run.close()
    const stats = run.stats
    this.#totals = addStats(this.#totals, stats)
    const state: ScanState = {
      ...run.scan,
      status,
      endedAt: new Date().toISOString(),
      ...(reason === undefined ? {} : { reason }),
    }
    const { scanId } = state
    if (this.plane.state === 'running') {
      await this.#records.write(state)
      await this.#records.announce(
        status === 'finished'
          ? { type: 'finished', scanId }
          : { type: status, scanId, reason: reason ?? status },
      )
    }
    this.#last = { state, progress: final }
    if (this.plane.state !== 'running') return
    await this.#records.retire(scanId, this.#o.scanRetentionMs)
    this.#note(
      status === 'failed' ? 'error' : 'info',
      `scan ${scanId} ${status}${reason === undefined ? '' : `: ${reason}`}`,
      scanId,
    )
  }

  /** Resume the running scan a previous controller left, if any. */
  async #resume(): Promise<void> {
    const state = await this.#records.findRunning()
    if (state === undefined) return
    const run = this.#newRun(state)
    try {
      await run.replay()
    } catch (err) {
      if (!isBeamloomError(err)) throw err
      this.logger.warn({ scanId: state.scanId, err: err.message }, 'cannot resume the running scan')
      this.#run = run
      await this.#end(run, 'stopped', `controller restarted and could not resume: ${err.message}`)
      return
    }
    this.#sync(run, await this.#registry.list('worker'))
    await this.#begin(run)
    this.#note('info', `scan ${state.scanId} resumed`, state.scanId)
  }

  #sync(run: ScanRun, live: readonly ProcessInfo[]): void {
    const byName = new Map(live.map((w) => [w.name, w]))
    for (const [name, instanceId] of [...run.members]) {
      const now = byName.get(name)
      if (now?.instanceId !== instanceId) this.#workerGone(run, name, now ? 'replaced' : 'expired')
    }
    for (const w of live) run.addWorker(w satisfies RunWorker)
  }

  /** Look at the running scan's progress every second; report a stall, fail at the deadline. */
  async #watchProgress(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(1000, signal)
      const run = this.#run
      const watch = this.#watch
      if (run === undefined || watch === undefined) continue
      const verdict = watch.check(run, await this.#registry.list(), Date.now())
      if (this.#run !== run) continue
      if (verdict.kind === 'progress') continue
      const seconds = Math.round((Date.now() - verdict.stall.since) / 1000)
      const what = verdict.stall.waitingFor.join('; ')
      if (verdict.kind === 'deadline') {
        const reason = `no progress for ${seconds} s: waiting for ${what}`
        this.#exclusive(() => this.#end(run, 'failed', reason)).catch((err: unknown) =>
          this.fail(err),
        )
      } else if (verdict.changed) {
        this.#note(
          'warn',
          `scan ${run.scan.scanId} has made no progress for ${seconds} s: waiting for ${what}`,
          run.scan.scanId,
        )
      }
    }
  }

  /**
   * A worker of the running scan is gone: it stopped heartbeating (said at WARNING: a fault),
   * left cleanly, or another instance took its name. Its unfinished events go to the others;
   * if it comes back it is a new member.
   */
  #workerGone(run: ScanRun, name: string, reason: string | undefined): void {
    if (!run.members.has(name)) return
    if (reason !== 'closed') {
      const how = reason === 'replaced' ? 'was replaced by a new instance' : 'stopped heartbeating'
      this.#note(
        'warn',
        `worker '${name}' ${how}; its unfinished events go to the other workers`,
        run.scan.scanId,
      )
    }
    run.removeWorker(name)
  }

  /** An ingester or the reducer left: say at once what the running scan now lacks. */
  async #lost(p: ProcessInfo, reason: string | undefined): Promise<void> {
    const run = this.#run
    if (run === undefined) return
    const how = reason === 'expired' ? 'stopped heartbeating' : 'left'
    if (p.role === 'reducer') {
      this.#note(
        'warn',
        `the reducer '${p.name}' ${how}; results wait for a reducer`,
        run.scan.scanId,
      )
      return
    }
    if (p.role !== 'ingester') return
    const mine = (p.streams ?? []).filter((s) => run.scan.streams.includes(s))
    if (mine.length === 0) return
    const served = await this.servedStreams()
    const unserved = mine.filter((s) => !served.has(s))
    if (unserved.length === 0) return
    this.#note(
      'warn',
      `ingester '${p.name}' ${how}: stream${unserved.length > 1 ? 's' : ''} ${unserved.map((s) => `'${s}'`).join(', ')} of the running scan ha${unserved.length > 1 ? 've' : 's'} no live ingester`,
      run.scan.scanId,
    )
  }

  #onLog(entry: LogEntry): void {
    const run = this.#run
    if (run === undefined || !isUpstreamLost(entry, run.scan.scanId)) return
    const reason = `upstream-lost: ${entry.role} '${entry.name}': ${entry.message}`
    this.#exclusive(() => this.#end(run, 'stopped', reason)).catch((err: unknown) => this.fail(err))
  }

  #note(level: LogEntry['level'], message: string, scanId?: string): void {
    this.logger[level](scanId === undefined ? {} : { scanId }, message)
    if (this.plane.state !== 'running') return
    const entry: LogEntry = {
      time: Date.now(),
      level,
      role: 'controller',
      name: this.#o.name,
      message,
      ...(scanId === undefined ? {} : { context: { scanId } }),
    }
    this.logs.append(entry).catch((err: unknown) => this.logger.warn({ err }, 'log append failed'))
  }

  #checkRunning(): void {
    if (this.state !== 'running') throw new StateError(`${this.name} is ${this.state}`)
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn)
    this.#queue = next.catch(() => undefined)
    return next
  }
}
