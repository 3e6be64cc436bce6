import type { Logger } from 'pino'
import type {
  ControlPlane,
  FailureLog,
  Loop,
  ParameterTracker,
  ReducerRunner,
  ResultAck,
  ScanId,
} from '../src/internal.js'
import {
  ABORTED,
  followScans,
  readScanState,
  type ScanEnd,
  type ScanRejoinPoint,
  sleep,
  untilAborted,
} from '../src/internal.js'
import { reportFailure } from './reducer-failure.js'
import type { ReducerMetrics } from './reducer-metrics.js'
import type { ReducerOptions } from './reducer-options.js'
import { type ReducerSnapshot, readReducerSnapshot } from './reducer-snapshot.js'
import { ScanDurability } from './scan-durability.js'
import { ScanRun } from './scan-run.js'
import { ScanWaiters } from './scan-waiters.js'
import type { SerialLane } from './serial-lane.js'

const MAX_TIMER_MS = 2 ** 31 - 1

/** What a {@link ScanSwitch} needs from its reducer. */
export interface ScanSwitchDeps {
  readonly plane: ControlPlane
  readonly logger: Logger
  readonly options: ReducerOptions
  /** The module spec as the user gave it (named in failure reports). */
  readonly module: string
  /** The reducer's analysis: its first runner, and how to make another. */
  readonly runner: ReducerRunner
  readonly makeRunner: () => Promise<ReducerRunner>
  readonly params: ParameterTracker
  readonly metrics: ReducerMetrics
  readonly failures: FailureLog
  /** The lane every call into user code goes through. */
  readonly lane: SerialLane
  /** The reducer's lifetime signal. */
  readonly signal: AbortSignal
  /** Start a tracked loop of the reducer. */
  readonly spawn: (name: string, loop: Loop) => void
  /** Close the reducer with an error (infrastructure lost). */
  readonly fail: (err: unknown) => void
  /** Called in the lane after a scan's `finish`, before `scanDone` resolves (HDF5 file). */
  readonly onEnded?: (run: ScanRun) => Promise<unknown>
  /** Sends an acknowledgement to a worker (its routing id on the results socket). */
  readonly ack: (to: Uint8Array, ack: ResultAck) => void
  /** Something went wrong that operators must see (shared log at WARNING). */
  readonly warn: (
    message: string,
    context: Record<string, string | number | boolean | null>,
  ) => void
}

/**
 * Follows `scan-updates` and keeps the reducer's current {@link ScanRun}: on `started` a new
 * analysis instance (parameters current, context kept) and its timer; on `finished` or
 * `stopped` the end of the scan (`finish`). Every call into user code goes through the lane.
 */
export class ScanSwitch {
  readonly waiters = new ScanWaiters()
  readonly #deps: ScanSwitchDeps
  #run: ScanRun | undefined
  #runner: ReducerRunner

  constructor(deps: ScanSwitchDeps) {
    this.#deps = deps
    this.#runner = deps.runner
  }

  /** The current scan, or the last one after it ended; `undefined` before the first. */
  get run(): ScanRun | undefined {
    return this.#run
  }

  /** The reducer's analysis now (what is closed at the end). */
  get runner(): ReducerRunner {
    return this.#runner
  }

  /** The loop: join the running scan of `rejoin`, then follow updates until `signal` aborts. */
  async follow(rejoin: ScanRejoinPoint, signal: AbortSignal): Promise<void> {
    const { plane, logger } = this.#deps
    await followScans(
      plane,
      {
        started: async (state) => {
          const id = state.scanId
          if (this.#run?.scanId === id || this.waiters.hasEnded(id)) return
          await this.inLane(signal, () => this.#startScan(id))
        },
        ended: async (id, end, reason) => {
          const run = this.#run
          if (run?.scanId !== id) this.waiters.ended(id)
          else await this.inLane(signal, () => this.#endScan(run, end, reason))
        },
        invalid: (err) => logger.warn({ err }, 'skipped a malformed scan update'),
      },
      signal,
      rejoin,
    )
  }

  /**
   * The run for results of a scan that is not (yet) the current one: waits while the scan is
   * running but its `started` has not been followed yet; `undefined` when it ended or is
   * unknown (its results are dropped as late).
   */
  async runFor(id: ScanId, signal: AbortSignal): Promise<ScanRun | undefined> {
    let checked = false
    while (!signal.aborted) {
      if (this.#run?.scanId === id) return this.#run
      if (this.waiters.hasEnded(id)) return undefined
      const changed = this.waiters.nextChange()
      if (!checked) {
        checked = true
        if ((await this.#scanState(id)) !== 'running') return undefined
        continue
      }
      await untilAborted(changed, signal)
    }
    return undefined
  }

  /** Run `task` in the lane; stop waiting (resolve `undefined`) when `signal` aborts. */
  async inLane<T>(signal: AbortSignal, task: () => T | Promise<T>): Promise<T | undefined> {
    const outcome = await untilAborted(this.#deps.lane.run(task), signal)
    return outcome === ABORTED ? undefined : outcome
  }

  /** The scan's stored status; `missing` when there is no (valid) state. */
  async #scanState(id: ScanId): Promise<string> {
    try {
      return (await readScanState(this.#deps.plane, id))?.status ?? 'missing'
    } catch (err) {
      this.#deps.logger.warn({ err, scan: id }, 'unreadable scan state')
      return 'missing'
    }
  }

  async #startScan(id: ScanId): Promise<void> {
    const d = this.#deps
    if (d.signal.aborted) return
    const old = this.#run
    if (old?.status === 'running') await this.#endScan(old, 'stopped', 'replaced')
    d.failures.reset()
    const state = { name: d.options.name, tags: [] }
    if (!this.#runner.alive) this.#runner = await d.makeRunner()
    let beginError: Error | undefined
    try {
      await this.#runner.begin({ parameters: d.params.current.parameters, state })
    } catch (err) {
      beginError = err instanceof Error ? err : new Error(String(err))
      d.metrics.failures.inc({ call: 'constructor' })
      reportFailure(d.failures, 'constructor', err, { scanId: id, module: d.module })
    }
    const restored = await this.#restore(id, beginError === undefined)
    const self = this
    const run = new ScanRun({
      scanId: id,
      module: d.module,
      analysis: {
        // Read each time: a replaced runner takes the place of the old one.
        get current() {
          return self.#runner
        },
        replace: (reason) => this.#replace(reason, state),
      },
      beginError,
      restored,
      ack: d.ack,
      durability: (r) => this.#durability(r),
      metrics: d.metrics,
      failures: d.failures,
      warn: (message) => d.warn(message, { scanId: id }),
      minDedupCompactSize: d.options.minDedupCompactSize,
    })
    this.#run = run
    this.waiters.changed()
    d.logger.info({ scan: id, resumed: restored !== undefined }, 'scan started')
    d.spawn(`durability of ${id}`, (s) =>
      run.completions.run(AbortSignal.any([s, run.endedSignal])),
    )
    if (run.hasTimer) d.spawn(`timer of ${id}`, (s) => this.#timerLoop(run, s))
  }

  /** A new runner in place of one a call killed, with a new instance for the scan. */
  async #replace(reason: string, state: { name: string; tags: string[] }): Promise<ReducerRunner> {
    const d = this.#deps
    this.#runner.kill(reason)
    this.#runner = await d.makeRunner()
    await this.#runner.begin({ parameters: d.params.current.parameters, state }).catch((err) => {
      reportFailure(d.failures, 'constructor', err, { scanId: this.#run?.scanId, module: d.module })
    })
    return this.#runner
  }

  #durability(run: ScanRun): ScanDurability {
    const d = this.#deps
    return new ScanDurability({
      plane: d.plane,
      scanId: run.scanId,
      sessions: run.sessions,
      inLane: (task) => this.inLane(d.signal, task),
      capture: () => run.capture(),
      ack: d.ack,
      intervalMs: d.options.snapshotIntervalMs,
      idleMs: d.options.snapshotIdleMs,
      onReport: () => d.metrics.completionReports.inc(),
    })
  }

  /**
   * A previous reducer's snapshot of a running scan, put back into the new instance (its
   * analysis state); `undefined` when there is none. A snapshot that cannot be read or put
   * back is reported, and the scan's analysis begins afresh.
   */
  async #restore(id: ScanId, begun: boolean): Promise<ReducerSnapshot | undefined> {
    const d = this.#deps
    let snapshot: ReducerSnapshot | undefined
    try {
      snapshot = await readReducerSnapshot(d.plane, id)
    } catch (err) {
      d.warn(`the saved reducer state of scan ${id} cannot be read: ${String(err)}`, { scanId: id })
      return undefined
    }
    if (snapshot === undefined) return undefined
    if (begun && snapshot.analysis.byteLength > 0) {
      try {
        await this.#runner.restoreState(snapshot.analysis)
      } catch (err) {
        reportFailure(d.failures, 'restoreState', err, { scanId: id, module: d.module })
      }
    }
    const age = Date.now() - snapshot.takenAt
    d.warn(
      `reducer resumed scan ${id} from its snapshot of ${Math.round(age)} ms ago (${snapshot.counts.reduced} results reduced); the workers send what came after it again`,
      { scanId: id, snapshotAgeMs: age, reduced: snapshot.counts.reduced },
    )
    return snapshot
  }

  async #endScan(run: ScanRun, status: ScanEnd, reason?: string): Promise<void> {
    await run.end(status, this.#deps.params.current.parameters, reason)
    await this.#deps.onEnded?.(run)
    this.waiters.ended(run.scanId)
    this.#deps.logger.info({ scan: run.scanId, status, reason, ...run.counts }, `scan ${status}`)
  }

  /** Calls `timer` when due until the scan ends: its return is the delay, in seconds. */
  async #timerLoop(run: ScanRun, life: AbortSignal): Promise<void> {
    const signal = AbortSignal.any([life, run.endedSignal])
    while (!signal.aborted) {
      const delayS = await this.inLane(signal, () =>
        run.status === 'running' ? run.timer(this.#deps.params.current.parameters) : undefined,
      )
      if (delayS === undefined) return
      try {
        await sleep(Math.min(delayS * 1000, MAX_TIMER_MS), signal)
      } catch (err) {
        if (signal.aborted) return
        throw err
      }
    }
  }
}
