import type {
  ControlPlane,
  EventBatch,
  FrameSlabsStats,
  ModuleSpec,
  ProcessChange,
  ProcessRegistration,
  RunnerKind,
  ScanState,
} from '../src/internal.js'
import {
  aborted,
  createInlineWorkerRunner,
  createLogStream,
  createParameterStore,
  createProcessRegistry,
  createPythonWorkerRunner,
  createThreadWorkerRunner,
  defaultLogger,
  FailureLog,
  FrameSlabs,
  followScans,
  isBeamloomError,
  isPythonModule,
  type Logger,
  moduleDigest,
  type ParameterDescription,
  ParameterTracker,
  parametersJson,
  parseModuleSpec,
  type ResolvedParameters,
  ServiceBase,
  StateError,
  silentPino,
  startMetricsServer,
  toError,
  WorkerName,
  type WorkerRunner,
} from '../src/internal.js'
import { AnalysisSupervisor } from './analysis-supervisor.js'
import type { ReadyEvent } from './event-assembler.js'
import { IngesterLinks } from './ingester-links.js'
import { ReducerLink } from './reducer-link.js'
import { ScanSession } from './scan-session.js'
import { parseWorkerConfig, type WorkerConfig, type WorkerConfigInput } from './worker-config.js'
import { WorkerMetrics } from './worker-metrics.js'

/** What a worker needs besides its config. */
export interface WorkerDeps {
  /** A running control plane (the worker does not own it). */
  readonly plane: ControlPlane
  readonly logger?: Logger
}

/**
 * The worker process as a service (see docs/workers.md). `start()` loads the analysis class
 * (a bad module fails the start: `MODULE_NOT_FOUND` / `MODULE_INVALID`), registers in the
 * process registry, and follows the registry (ingesters, reducer), the parameters and the
 * scans. `close()` leaves the registry first (the controller hands this worker's unfinished
 * events to others), then finishes the event in hand, sends what is done, closes the sockets
 * and calls the analysis's `close(context)`.
 */
export class WorkerService extends ServiceBase {
  readonly config: WorkerConfig
  readonly #plane: ControlPlane
  readonly #logger: Logger
  readonly #name: WorkerName
  #analysis: AnalysisSupervisor | undefined
  #tracker: ParameterTracker | undefined
  #failures: FailureLog | undefined
  #registration: ProcessRegistration | undefined
  readonly #reducer: ReducerLink
  readonly #links: IngesterLinks
  /**
   * Memory the ingester links read frames into (their own ZMTP receive), reused once an event
   * is over (see `onFramesDone`). Parts below 64 KiB (batch headers, small frames) get memory of
   * their own: a header is never handed back, and would hold a slab.
   */
  readonly #frames: FrameSlabs
  #session: ScanSession | undefined
  #droppedBatches = 0
  #metricsUrl: string | undefined
  /** The ingester links last published in the registry (JSON). */
  #reportedLinks = '[]'
  /** The session being ended (its counts are not in the metrics' totals yet). */
  #ending: ScanSession | undefined
  /** Prometheus metrics (served on `metricsPort` when configured). */
  readonly metrics = new WorkerMetrics({
    current: () => (this.#session ?? this.#ending)?.stats,
    queueDepth: () => this.#session?.queueDepth ?? { ready: 0, assembling: 0 },
    droppedBatches: () => this.#droppedBatches,
    frameMemory: () => this.#frames.stats(),
  })

  constructor(config: WorkerConfig, deps: WorkerDeps) {
    super(`worker '${config.name}'`)
    this.config = config
    this.#plane = deps.plane
    this.#logger = deps.logger ?? defaultLogger('worker', silentPino)
    this.#name = WorkerName.parse(config.name)
    this.#reducer = new ReducerLink(
      this.#name,
      (err) => this.#logger.warn({ err: err.message }, 'bad message from the reducer'),
      config.curve,
    )
    this.#frames = new FrameSlabs({
      slabBytes: config.frameSlabBytes,
      // An analysis that may keep frames (inline, Python) never hands any back: each frame gets
      // memory of its own, so that one it keeps holds only itself, not a whole slab.
      smallPartBytes: analysisInThread(config) ? SMALL_FRAME_BYTES : Number.POSITIVE_INFINITY,
    })
    this.#links = new IngesterLinks({
      worker: this.#name,
      curve: config.curve,
      receive: config.dataReceive,
      frameMemory: this.#frames,
      onBatch: (batch) => this.#onBatch(batch),
      onInvalid: (ingester, err) => this.#logger.warn({ ingester, err: err.message }, 'bad batch'),
      onLinkFailed: (ingester, err) => {
        this.#logger.warn({ ingester, err: err.message }, 'ingester link failed')
        this.#reportLinks().catch((e: unknown) => this.fail(e))
      },
    })
  }

  /** What the frame memory did (for tests and metrics). */
  frameSlabStats(): FrameSlabsStats {
    return this.#frames.stats()
  }

  #recycleFrames(event: ReadyEvent): void {
    for (const name in event.streams) {
      for (const frame of event.streams[name]!.frames) this.#frames.recycle(frame)
    }
  }

  /** The worker's name (its routing id and registry name). */
  get workerName(): WorkerName {
    return this.#name
  }

  /** The scan being worked on, if any. */
  get session(): ScanSession | undefined {
    return this.#session
  }

  /** Ingesters linked now (by registry name). */
  get ingesters(): string[] {
    return this.#links.ingesters
  }

  /** Where results go, once a reducer is known. */
  get reducerEndpoint(): string | undefined {
    return this.#reducer.endpoint
  }

  /** The parameters the next event is processed with. @throws StateError before start. */
  get parameters(): ResolvedParameters {
    if (this.#tracker === undefined) throw new StateError(`${this.name} is not started`)
    return this.#tracker.current
  }

  /** The live registration (its `info` is what others see), once started. */
  get registration(): ProcessRegistration | undefined {
    return this.#registration
  }

  /** Base URL of the metrics server (`/metrics`, `/health/*`), when one runs. */
  get metricsUrl(): string | undefined {
    return this.#metricsUrl
  }

  /** Event batches dropped because they belonged to no current scan. */
  get droppedBatches(): number {
    return this.#droppedBatches
  }

  protected override async onStart(signal: AbortSignal): Promise<void> {
    const { config } = this
    const plane = this.#plane
    const analysis = new AnalysisSupervisor(
      await this.#makeRunner(),
      () => this.#makeRunner(),
      (reason) =>
        this.#logger.warn({ worker: config.name, reason }, 'analysis replaced after a fault'),
    )
    this.#analysis = analysis
    this.addCloseStep('analysis close', async () => {
      try {
        await analysis.close()
      } catch (err) {
        this.#logger.error({ err: toError(err).message }, 'analysis close failed')
      }
    })
    const tracker = new ParameterTracker(analysis.parameters, (r) =>
      this.#logger.warn({ parameter: r.name, reason: r.reason }, 'parameter value rejected'),
    )
    this.#tracker = tracker
    const store = createParameterStore(plane)
    await tracker.load(store)
    const failures = new FailureLog({
      logger: this.#logger,
      logs: createLogStream(plane),
      role: 'worker',
      name: config.name,
      localLevel: 'warn',
    })
    this.#failures = failures

    this.addCloseStep('data links', async ({ force }) => {
      await Promise.all([this.#links.closeAll(force), this.#reducer.close(force)])
    })
    this.addCloseStep('failure log', async ({ force }) => {
      if (force || plane.state !== 'running') return
      await failures.flushed()
    })
    if (config.metricsPort !== undefined) await this.#serveMetrics(config.metricsPort)
    const registration = await this.#register(analysis.parameters, signal)
    this.#registration = registration
    this.addCloseStep('registry', () => registration.close())

    this.spawn('registration', (s) => this.#holdRegistration(registration, s))
    this.spawn('registry', (s) => this.#watchRegistry(s))
    this.spawn('parameters', (s) => tracker.follow(plane, store, s))
    this.spawn('scans', (s) => this.#followScans(s))
  }

  /**
   * A runner of the worker's class: a Python process for `.py` modules, else a worker thread
   * (or this thread with `isolation: 'inline'`). Rejects with the loader's error codes.
   */
  #makeRunner(): Promise<WorkerRunner> {
    const c = this.config
    const limits = {
      callTimeoutMs: c.eventTimeoutMs === 0 ? Number.POSITIVE_INFINITY : c.eventTimeoutMs,
      lifecycleTimeoutMs: Math.max(c.eventTimeoutMs, 60_000),
      memoryMiB: c.memoryMiB === 0 ? Number.POSITIVE_INFINITY : c.memoryMiB,
    }
    const spec = parseModuleSpec(c.workerModule, c.cwd)
    const kind = runnerKindOf(spec, c.isolation)
    if (kind === 'python') {
      return createPythonWorkerRunner(spec, {
        limits,
        python: c.python,
        ...(c.cwd === undefined ? {} : { cwd: c.cwd }),
        log: (level, line) =>
          this.#logger[level === 'info' ? 'info' : 'warn']({ worker: c.name }, line),
      })
    }
    if (kind === 'inline') return createInlineWorkerRunner(c.workerModule, c.cwd)
    return createThreadWorkerRunner({
      spec: c.workerModule,
      cwd: c.cwd,
      limits,
      name: `analysis of worker ${c.name}`,
    })
  }

  async #serveMetrics(port: number): Promise<void> {
    const { server, url } = await startMetricsServer({
      registry: this.metrics.registry,
      port,
      host: this.config.metricsHost,
      advertiseHost: this.config.advertiseHost,
      live: () => this.state !== 'closed',
      ready: () => this.state === 'running' && this.#registration !== undefined,
    })
    this.addCloseStep('metrics server', () => server.close())
    this.#metricsUrl = url
  }

  /** Register; wait out a predecessor of the same name whose key has not expired yet. */
  async #register(
    parameters: readonly ParameterDescription[],
    signal: AbortSignal,
  ): Promise<ProcessRegistration> {
    const { heartbeatMs, name, tags } = this.config
    const registry = createProcessRegistry(this.#plane, { heartbeatMs })
    // ProcessInfoUpdate does not list `parameters` yet; the registry passes the field through.
    const info = {
      tags,
      // Which code this worker runs: result files record it (docs/results-api.md).
      module: await moduleDigest(parseModuleSpec(this.config.workerModule, this.config.cwd)),
      parameters: parametersJson(parameters),
      ...(this.#metricsUrl === undefined ? {} : { url: this.#metricsUrl }),
    }
    return registry.register({
      role: 'worker',
      name,
      info,
      // A restarted worker: its old key expires within three heartbeats.
      waitIfTakenMs: heartbeatMs * 4,
      signal,
      onTaken: (ttlMs) =>
        this.#logger.info(
          { worker: name, ttlMs },
          'name still registered; waiting for it to expire',
        ),
    })
  }

  /** Leave the registry the moment closing begins; fail if the registration dies before. */
  async #holdRegistration(registration: ProcessRegistration, signal: AbortSignal): Promise<void> {
    const ended = await Promise.race([registration.closed, aborted(signal).then(() => 'closing')])
    if (ended !== 'closing') {
      throw ended ?? new StateError(`${this.name}: the registration ended unexpectedly`)
    }
    await registration.close()
  }

  async #watchRegistry(signal: AbortSignal): Promise<void> {
    const registry = createProcessRegistry(this.#plane, { heartbeatMs: this.config.heartbeatMs })
    for await (const change of registry.watch({ signal })) {
      try {
        await this.#onProcessChange(change)
      } catch (err) {
        // A malformed endpoint of another process is its problem; keep watching.
        if (!isBeamloomError(err, 'CONFIG_INVALID')) throw err
        this.#logger.error({ process: change.process.name, err: err.message }, 'cannot link')
      }
    }
  }

  async #onProcessChange(change: ProcessChange): Promise<void> {
    const p = change.process
    if (p.role === 'ingester') {
      try {
        if (change.type === 'left') await this.#links.remove(p.name)
        else await this.#links.upsert(p)
      } finally {
        await this.#reportLinks()
      }
    } else if (p.role === 'reducer' && change.type !== 'left') {
      // A reducer that left may come back at the same address: keep its socket (zmq reconnects).
      await this.#reducer.upsert(p)
    }
  }

  /**
   * Publish the ingesters this worker is linked to in its registry entry (the controller's
   * `/api/v1/config` lists them, as Dranspose's `ingesters`), when they changed.
   */
  async #reportLinks(): Promise<void> {
    const registration = this.#registration
    if (registration === undefined) return
    const ingesters = this.#links.linked()
    const key = JSON.stringify(ingesters)
    if (key === this.#reportedLinks) return
    this.#reportedLinks = key
    try {
      await registration.update({ ingesters })
    } catch (err) {
      // Closing: the entry is being deleted, nothing left to report to.
      if (isBeamloomError(err, 'STATE_INVALID') && registration.state !== 'running') return
      throw err
    }
  }

  async #followScans(signal: AbortSignal): Promise<void> {
    try {
      await followScans(
        this.#plane,
        {
          started: (state) => this.#startScan(state),
          ended: async (scanId, end) => {
            const current = this.#session
            if (current?.scanId === scanId) await this.#endScan(current, end === 'finished')
          },
          invalid: (err) => this.#logger.error({ err: err.message }, 'bad scan update skipped'),
        },
        signal,
      )
    } finally {
      // Closing: the event in hand completes and what is done is sent (graceful close).
      const session = this.#session
      this.#session = undefined
      if (session) await session.close()
    }
  }

  async #startScan(state: ScanState): Promise<void> {
    const { scanId } = state
    const previous = this.#session
    if (previous?.scanId === scanId) return
    if (previous) await this.#endScan(previous, false)
    const plane = this.#plane
    const session = new ScanSession({
      scanId,
      worker: this.#name,
      tags: this.config.tags,
      module: this.config.workerModule,
      analysis: this.#analysis!,
      batchEvents: this.config.batchEvents,
      plane,
      parameters: this.#tracker!,
      reducer: this.#reducer,
      failures: this.#failures!,
      logger: this.#logger,
      windowEvents: this.config.windowEvents,
      maxWindowEvents: this.config.maxWindowEvents,
      flushItems: this.config.flushItems,
      flushIdleMs: this.config.flushIdleMs,
      closeFlushMs: this.config.closeFlushMs,
      maxKeptBytes: this.config.maxKeptBytes,
      processEventSeconds: this.metrics.processEventSeconds,
      // In a thread, the analysis got a copy of the frames: their memory may be reused once the
      // event is over. Inline or in Python, the analysis may keep them: never.
      ...(this.#analysis!.kind === 'thread'
        ? { onFramesDone: (event: ReadyEvent) => this.#recycleFrames(event) }
        : {}),
    })
    this.#session = session
    void session.closed.then((err) => {
      // A scan's loops fail only when infrastructure is lost: that ends the worker too.
      if (err !== undefined && this.#session === session) this.fail(err)
    })
    await session.start()
    this.#logger.info({ scanId }, 'joined scan')
  }

  async #endScan(session: ScanSession, finished: boolean): Promise<void> {
    if (this.#session === session) this.#session = undefined
    this.#ending = session
    try {
      if (finished) await session.finishScan()
      else await session.close()
    } finally {
      // Counted once, when its last results are out; until then it counts as current.
      this.metrics.scanEnded(session.stats)
      if (this.#ending === session) this.#ending = undefined
    }
    this.#logger.info({ scanId: session.scanId, finished, ...session.stats }, 'scan ended')
  }

  #onBatch(batch: EventBatch): void {
    const session = this.#session
    if (session !== undefined && session.scanId === batch.scan) session.onBatch(batch)
    else this.#droppedBatches++
  }
}

/** Frames below this size get memory of their own rather than a place in a slab. */
const SMALL_FRAME_BYTES = 64 * 1024

/**
 * Where the analysis of `spec` runs: a Python process for `.py` modules, else a worker thread, or
 * the worker's own thread with `isolation: 'inline'` (what {@link WorkerService} starts).
 */
function runnerKindOf(spec: ModuleSpec, isolation: WorkerConfig['isolation']): RunnerKind {
  if (isPythonModule(spec)) return 'python'
  return isolation === 'inline' ? 'inline' : 'thread'
}

/**
 * Whether the worker's analysis runs in a worker thread (which gets a copy of its frames). A
 * module spec that does not parse counts as not (the worker fails to start anyway).
 */
function analysisInThread(config: WorkerConfig): boolean {
  try {
    return (
      runnerKindOf(parseModuleSpec(config.workerModule, config.cwd), config.isolation) === 'thread'
    )
  } catch {
    return false
  }
}

/**
 * Create (not start) a worker. `start()` loads the module and joins; see {@link WorkerService}.
 * @throws ConfigError `CONFIG_INVALID` for an invalid config (before anything opens).
 */
export function createWorker(config: WorkerConfigInput, deps: WorkerDeps): WorkerService {
  return new WorkerService(parseWorkerConfig(config), deps)
}
