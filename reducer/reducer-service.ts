import { mkdir } from 'node:fs/promises'
import pino, { type Logger } from 'pino'
import type { ControlPlane, ReceivedBatch } from '../src/internal.js'
import {
  advertisedAddress,
  ConfigError,
  createInlineReducerRunner,
  createLogStream,
  createParameterStore,
  createProcessRegistry,
  createPythonReducerRunner,
  createResultReceiver,
  defaultLogger,
  FailureLog,
  findRunningScan,
  isPythonModule,
  type LogStream,
  moduleDigest,
  ParameterTracker,
  parametersJson,
  parseConfig,
  parseModuleSpec,
  type ReducerRunner,
  type ResultReceiver,
  type ScanId,
  ServiceBase,
  StateError,
  warnIfExposed,
} from '../src/internal.js'
import { compactDedup } from './compact-dedup.js'
import { H5Files } from './hdf5-file/h5-files.js'
import { LiveScanMetadata } from './nexus/live-scan-metadata.js'
import type { ScanMetadata } from './nexus/scan-metadata.js'
import { buildReducerApp, type ReducerStatus } from './reducer-app.js'
import { reportFailure } from './reducer-failure.js'
import { ReducerMetrics } from './reducer-metrics.js'
import { ReducerOptions, type ReducerOptionsInput } from './reducer-options.js'
import { ScanSwitch } from './scan-switch.js'
import type { SerialLane } from './serial-lane.js'
import { MarkingLane } from './updates/marking-lane.js'
import { UpdateHub } from './updates/update-hub.js'

/** What a reducer uses but does not own. */
export interface ReducerDeps {
  /** The control plane, started by the caller and closed after the reducer. */
  readonly plane: ControlPlane
  /** Default: pino to stdout, named after the reducer. */
  readonly logger?: Logger
  /** Where a relative module path resolves; default the process's cwd. */
  readonly cwd?: string
}

/**
 * The reducer process (docs/architecture.md, docs/reducer.md): pulls result batches from the
 * workers, reduces each (scan, event, slot) once with the user's `processResult`, one at a
 * time, reports completions to the controller, runs `timer` and `finish`, and serves `publish`
 * over HTTP. Create it with {@link createReducer}.
 */
export class Reducer extends ServiceBase {
  readonly options: ReducerOptions
  readonly #plane: ControlPlane
  readonly #logger: Logger
  readonly #cwd: string | undefined
  readonly #metrics = new ReducerMetrics(
    () => this.queueDepth,
    () => this.updates.clientCount,
  )
  /** Tells `/api/v1/updates` clients what changed; marked after each call into user code. */
  readonly updates: UpdateHub
  readonly #lane: SerialLane = new MarkingLane(() => this.updates.markDirty())
  readonly #failures: FailureLog
  readonly #logs: LogStream
  readonly #h5: H5Files
  #meta: LiveScanMetadata | undefined
  #receiver: ResultReceiver | undefined
  #params: ParameterTracker | undefined
  #scans: ScanSwitch | undefined
  #waitingItems = 0
  #endpoint: string | undefined
  #url: string | undefined
  #ready = false
  #compacting = false

  constructor(options: ReducerOptions, deps: ReducerDeps) {
    super(`reducer '${options.name}'`)
    this.options = options
    this.#plane = deps.plane
    this.#logger = deps.logger ?? defaultLogger(options.name, () => pino({ name: options.name }))
    this.#cwd = deps.cwd
    this.updates = new UpdateHub({
      throttleMs: options.updatesThrottleMs,
      read: () => this.publish,
    })
    this.#h5 = new H5Files({
      dir: options.h5Dir,
      logger: this.#logger,
      read: () => ({ publish: this.publish, metadata: this.metadata() }),
      refresh: async () => this.#meta?.refresh(),
    })
    this.#logs = createLogStream(deps.plane)
    this.#failures = new FailureLog({
      logger: this.#logger,
      logs: this.#logs,
      role: 'reducer',
      name: options.name,
    })
  }

  /** The results PULL endpoint workers connect to. @throws StateError before start. */
  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  /** The HTTP API's base URL. @throws StateError before start. */
  get url(): string {
    if (this.#url === undefined) throw new StateError(`${this.name} is not listening yet`)
    return this.#url
  }

  /** What the current (or last) scan's instance publishes; `{}` before the first scan. */
  get publish(): unknown {
    return this.#scans?.run?.publish ?? {}
  }

  /** Result items received and not yet handled. */
  get queueDepth(): number {
    return this.#waitingItems + (this.#scans?.run?.inHand ?? 0)
  }

  /** Running, registered and following scans. */
  get ready(): boolean {
    return this.#ready && this.state === 'running'
  }

  /** The HDF5 files this reducer writes (`POST /api/v1/h5`, end of scan). */
  get h5Files(): H5Files {
    return this.#h5
  }

  /** Bearer token of the mutating HTTP routes and of `GET /api/v1/status`. */
  get httpToken(): string | undefined {
    return this.options.token
  }

  /** Most `/api/v1/updates` clients at once. */
  get maxUpdateClients(): number {
    return this.options.maxUpdateClients
  }

  /** Origins whose pages may read the HTTP API cross-origin. */
  get corsOrigins(): readonly string[] {
    return this.options.corsOrigins
  }

  /** The Prometheus registry of this reducer. */
  get metrics(): ReducerMetrics {
    return this.#metrics
  }

  /** How the current (or last) scan's result is made: what files and the HDF5-REST root say. */
  metadata(): ScanMetadata {
    return (
      this.#meta?.current() ?? {
        status: 'running',
        workers: [],
        sources: [],
        parameters: this.#params?.current.parameters,
      }
    )
  }

  /** What `GET /api/v1/status` returns. */
  status(): ReducerStatus {
    const run = this.#scans?.run
    return {
      name: this.options.name,
      state: this.state,
      ready: this.ready,
      module: this.options.reducerModule,
      queueDepth: this.queueDepth,
      parametersVersion: this.#params?.current.version ?? 0,
      scan:
        run === undefined
          ? null
          : {
              scanId: run.scanId,
              status: run.status,
              startedAt: new Date(run.startedAt).toISOString(),
              endedAt: run.endedAt === undefined ? null : new Date(run.endedAt).toISOString(),
              reason: run.reason ?? null,
              ...run.counts,
              pendingCompletions: run.completions.pending,
              dedup: { size: run.dedup.size, floor: run.dedup.floor },
            },
    }
  }

  /**
   * Resolves once `scanId` has ended on this reducer (`finish` ran after `finished` or
   * `stopped`), at once if it already has. Rejects with `STATE_INVALID` when the reducer closes
   * first.
   */
  scanDone(scanId: ScanId): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new StateError(`${this.name} is ${this.state}`))
    }
    if (this.#scans === undefined) {
      return Promise.reject(new StateError(`${this.name} is ${this.state}: not following scans`))
    }
    return this.#scans.waiters.wait(scanId)
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    const { options } = this
    const plane = this.#plane
    const runner = await this.#makeRunner()
    const parameters = runner.parameters
    signal.throwIfAborted()
    if (options.h5Dir !== undefined) {
      try {
        await mkdir(options.h5Dir, { recursive: true })
      } catch (cause) {
        throw new ConfigError(`cannot create the HDF5 directory ${options.h5Dir}`, { cause })
      }
    }
    const params = new ParameterTracker(parameters, (r) =>
      this.#logger.warn({ parameter: r.name }, `ignoring parameter value: ${r.reason}`),
    )
    this.#params = params
    const digest = await moduleDigest(parseModuleSpec(options.reducerModule, this.#cwd))
    this.#meta = new LiveScanMetadata({
      plane,
      heartbeatMs: options.heartbeatMs,
      reducer: digest,
      run: () => {
        const run = this.#scans?.run
        if (run === undefined) return undefined
        const { scanId, status, reason, startedAt, endedAt, counts } = run
        const failedEvents = counts.workerFailed + counts.failed
        return { scanId, status, reason, startedAt, endedAt, failedEvents }
      },
      parameters: () => this.#params?.current.parameters,
      logger: this.#logger,
    })
    const store = createParameterStore(plane)
    await params.load(store)
    signal.throwIfAborted()
    const scans = new ScanSwitch({
      plane,
      logger: this.#logger,
      options,
      module: options.reducerModule,
      runner,
      makeRunner: () => this.#makeRunner(),
      params,
      metrics: this.#metrics,
      failures: this.#failures,
      lane: this.#lane,
      signal: this.signal,
      spawn: (name, loop) => this.spawn(name, loop),
      fail: (err) => this.fail(err),
      onEnded: (run) => this.#h5.writeScanEnd(run.scanId),
      ack: (to, ack) => this.#receiver?.ack(to, ack),
      warn: (message, context) => this.#warn(message, context),
    })
    this.#scans = scans
    this.addCloseStep('analysis', () => this.#closeAnalysis(scans))
    this.addCloseStep('scan waiters', () =>
      scans.waiters.rejectAll(new StateError(`${this.name} closed`)),
    )

    const app = buildReducerApp(this)
    this.addCloseStep('http', () => app.close())
    warnIfExposed(this.#logger, 'the reducer API', options.httpHost, options.token, 'REDUCER_TOKEN')
    try {
      await app.listen({ host: options.httpHost, port: options.httpPort })
    } catch (cause) {
      throw new ConfigError(`cannot listen on ${options.httpHost}:${options.httpPort}`, { cause })
    }
    const address = app.server.address()
    const port = typeof address === 'object' && address !== null ? address.port : options.httpPort
    const host = options.httpHost.includes(':') ? `[${options.httpHost}]` : options.httpHost
    this.#url = advertisedAddress(`http://${host}:${port}`, options.advertiseHost)
    signal.throwIfAborted()

    const receiver = createResultReceiver({
      bind: options.bind,
      curve: options.curve,
      onBatches: (batches) => this.#onBatches(scans, batches),
      onInvalid: (err) => this.#logger.warn({ err }, `dropped an invalid result message`),
    })
    this.#receiver = receiver
    this.addCloseStep('results socket', ({ force }) => receiver.close({ force }))
    await receiver.start()
    void receiver.closed.then((err) => err && this.fail(err))
    this.#endpoint = advertisedAddress(receiver.endpoint, options.advertiseHost)
    signal.throwIfAborted()

    const registry = createProcessRegistry(plane, { heartbeatMs: options.heartbeatMs })
    // Built apart from the call: `ProcessInfoUpdate` does not list endpoints and parameters yet.
    const info = {
      url: this.#url,
      module: digest,
      endpoints: { results: this.#endpoint },
      parameters: parametersJson(parameters),
    }
    const registration = await registry.register({
      role: 'reducer',
      name: options.name,
      info,
      // A restarted reducer: its killed predecessor's key expires within three heartbeats.
      waitIfTakenMs: options.heartbeatMs * 4,
      signal,
      onTaken: (ttlMs) =>
        this.#logger.info({ ttlMs }, 'name still registered; waiting for it to expire'),
    })
    this.addCloseStep('registration', () => registration.close())
    void registration.closed.then((err) => err && this.fail(err))
    signal.throwIfAborted()

    const rejoin = await findRunningScan(plane)
    signal.throwIfAborted()
    this.spawn('parameters', (s) => params.follow(plane, store, s))
    this.spawn('scan updates', (s) => scans.follow(rejoin, s))
    const meta = this.#meta
    this.spawn('scan metadata', (s) => meta.follow(s))
    this.#ready = true
    this.#logger.info(
      {
        endpoint: this.#endpoint,
        url: this.#url,
        module: options.reducerModule,
        analysis: runner.kind,
      },
      'reducer running',
    )
  }

  /**
   * A runner of the reducer's class: a Python process for `.py` modules, else this thread
   * (every results surface reads its live `publish`), under the configured time limit.
   * Rejects with the loader's error codes.
   */
  #makeRunner(): Promise<ReducerRunner> {
    const o = this.options
    const limits = {
      callTimeoutMs: o.callTimeoutMs === 0 ? Number.POSITIVE_INFINITY : o.callTimeoutMs,
      lifecycleTimeoutMs: Math.max(o.callTimeoutMs, 60_000),
      memoryMiB: o.memoryMiB === 0 ? Number.POSITIVE_INFINITY : o.memoryMiB,
    }
    const spec = parseModuleSpec(o.reducerModule, this.#cwd)
    if (isPythonModule(spec)) {
      return createPythonReducerRunner(spec, {
        limits,
        python: o.python,
        ...(this.#cwd === undefined ? {} : { cwd: this.#cwd }),
        log: (level, line) => this.#logger[level === 'info' ? 'info' : 'warn']({}, line),
        // A refresh of the copy of `publish` may come after the call that reduced the results:
        // the updates stream must hear of it too.
        onPublish: () => this.updates.markDirty(),
      })
    }
    return createInlineReducerRunner(o.reducerModule, limits, this.#cwd)
  }

  /** Something operators must see: the local log and the shared log stream, at WARNING. */
  #warn(message: string, context: Record<string, string | number | boolean | null>): void {
    this.#logger.warn(context, message)
    if (this.#plane.state !== 'running') return
    this.#logs
      .append({
        time: Date.now(),
        level: 'warn',
        role: 'reducer',
        name: this.options.name,
        message,
        context,
      })
      .catch((err: unknown) => this.#logger.warn({ err }, 'could not append to the shared log'))
  }

  /** Batches received together: each stretch of one scan reduced in one call. */
  async #onBatches(scans: ScanSwitch, batches: readonly ReceivedBatch[]): Promise<void> {
    let at = 0
    while (at < batches.length && !this.signal.aborted) {
      const scan = batches[at]!.batch.scan
      let end = at + 1
      while (end < batches.length && batches[end]!.batch.scan === scan) end++
      await this.#onScanBatches(scans, batches.slice(at, end))
      at = end
    }
  }

  async #onScanBatches(scans: ScanSwitch, batches: readonly ReceivedBatch[]): Promise<void> {
    const n = batches.reduce((sum, b) => sum + b.batch.items.length, 0)
    if (this.signal.aborted || n === 0) return
    const scan = batches[0]!.batch.scan
    this.#waitingItems += n
    let waiting = true
    try {
      const current = scans.run
      const run = current?.scanId === scan ? current : await scans.runFor(scan, this.signal)
      if (run === undefined) {
        if (!this.signal.aborted) this.#metrics.late.inc(n)
        return
      }
      await scans.inLane(this.signal, () => {
        this.#waitingItems -= n
        waiting = false
        return run.reduceMany(batches, this.#params!.current.parameters, this.signal)
      })
      if (run.dedup.wantsCompaction && !this.#compacting && !this.signal.aborted) {
        this.#compacting = true
        this.spawn('dedup compaction', async () => {
          await compactDedup(this.#plane, run, this.#logger)
          this.#compacting = false
        })
      }
    } finally {
      if (waiting) this.#waitingItems -= n
    }
  }

  async #closeAnalysis(scans: ScanSwitch): Promise<void> {
    try {
      await scans.runner.close()
    } catch (err) {
      this.#metrics.failures.inc({ call: 'close' })
      reportFailure(this.#failures, 'close', err, {
        scanId: scans.run?.scanId,
        module: this.options.reducerModule,
      })
    }
  }
}

/**
 * Create (not start) a reducer. `start()` loads the module (`MODULE_NOT_FOUND` /
 * `MODULE_INVALID` are fatal), listens for HTTP, binds the results PULL, registers as role
 * `reducer` (endpoint `results`, its URL and parameter descriptions) and follows scans.
 * @throws ConfigError `CONFIG_INVALID` for invalid options.
 */
export function createReducer(input: ReducerOptionsInput, deps: ReducerDeps): Reducer {
  return new Reducer(parseConfig(ReducerOptions, input, 'reducer options'), deps)
}
