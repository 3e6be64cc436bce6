import {
  advertisedAddress,
  type ControlPlane,
  compileScanPlan,
  createIngesterRouter,
  createLogStream,
  createParameterStore,
  createProcessRegistry,
  DEFAULT_DEVICE_QUEUE_BYTES,
  defaultLogger,
  FrameSlabs,
  type FrameSlabsStats,
  findRunningScan,
  followScans,
  type IngesterRouter,
  type Logger,
  ParameterName,
  parseConfig,
  parseSequence,
  type ScanId,
  type ScanPlan,
  type ScanState,
  type Service,
  ServiceBase,
  StateError,
  type StreamName,
  silentPino,
  startMetricsServer,
  toError,
  UPSTREAM_LOST,
  type WorkerName,
} from '../../src/internal.js'
import { IngesterConfig, type IngesterConfigInput, ingesterName } from './ingester-config.js'
import { IngesterMetrics } from './ingester-metrics.js'
import { markFirstRead } from './read-marker.js'
import { ScanSession, type ScanSessionStats } from './scan-session.js'
import type { UpstreamFactory } from './upstream.js'

/** What {@link createIngester} needs besides its config. */
export interface IngesterDeps {
  /** A control plane; started and closed by its owner, not by the ingester. */
  readonly plane: ControlPlane
  /** Opens the device connection for each scan. */
  readonly upstream: UpstreamFactory
  readonly logger?: Logger
}

/** A running ingester (see {@link createIngester}). */
export interface Ingester extends Service {
  /** Its registry name. */
  readonly name: string
  /** The ROUTER endpoint workers connect to, as registered. @throws StateError before start. */
  readonly endpoint: string
  /** The scan being served, if any. */
  readonly scanId: ScanId | undefined
  /** Counters of the current (or last) scan. */
  stats(): ScanSessionStats | undefined
  /** Prometheus metrics (served on `metricsPort` when configured). */
  readonly metrics: IngesterMetrics
  /** Base URL of the metrics server (`/metrics`, `/health/*`), when one runs. */
  readonly metricsUrl: string | undefined
  /** The ROUTER workers connect to, once started: which workers are connected now. */
  readonly router: { readonly workers: ReadonlySet<WorkerName> } | undefined
  /** What the memory for device frames did (`undefined` when devices are read with zeromq.js). */
  readonly frameSlabStats?: FrameSlabsStats | undefined
}

/** How long the "this ingester read from its device for this scan" mark lives (scan keys are also
 * deleted with the scan's records). */
const READ_MARK_TTL_MS = 7 * 24 * 3_600_000
/** The parameter that turns recording on (Dranspose's name). */
const DUMP_PREFIX = ParameterName.parse('dump_prefix')

class IngesterService extends ServiceBase implements Ingester {
  readonly #config: IngesterConfig
  readonly #deps: IngesterDeps
  readonly #logger: Logger
  #router: IngesterRouter | undefined
  #endpoint: string | undefined
  #session: ScanSession | undefined
  #lastStats: ScanSessionStats | undefined
  #metricsUrl: string | undefined
  readonly metrics = new IngesterMetrics(
    () => this.#session?.stats(),
    () => this.frameSlabStats,
  )
  /** Memory for frames read from the device, reused across scans (`deviceReceive: zmtp`). */
  readonly #frameSlabs: FrameSlabs | undefined

  constructor(config: IngesterConfig, deps: IngesterDeps) {
    super(`ingester '${ingesterName(config)}'`)
    this.#config = config
    this.#deps = deps
    this.#logger = deps.logger ?? defaultLogger('ingester', silentPino)
    // Emptied slabs are kept, up to twice what the frame buffer and a receive queue hold at once
    // (slabs are not filled to the last byte), so later scans reuse memory rather than fault in
    // new pages: the memory stays at the peak the scans needed, which `bufferBytes` bounds.
    this.#frameSlabs =
      config.deviceReceive === 'zmtp'
        ? new FrameSlabs({
            slabBytes: config.frameSlabBytes,
            maxFreeSlabs: Math.ceil(
              (2 * (config.bufferBytes + DEFAULT_DEVICE_QUEUE_BYTES)) / config.frameSlabBytes,
            ),
          })
        : undefined
  }

  /** What the frame memory did so far (`undefined` when devices are read with zeromq.js). */
  get frameSlabStats(): FrameSlabsStats | undefined {
    return this.#frameSlabs?.stats()
  }

  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  get metricsUrl(): string | undefined {
    return this.#metricsUrl
  }

  get scanId(): ScanId | undefined {
    return this.#session?.scanId
  }

  get router(): IngesterRouter | undefined {
    return this.#router
  }

  stats(): ScanSessionStats | undefined {
    return this.#session?.stats() ?? this.#lastStats
  }

  protected override async onStart(): Promise<void> {
    const config = this.#config
    const { plane } = this.#deps
    const name = ingesterName(config)
    const router = createIngesterRouter({
      bind: config.bind,
      curve: config.curve,
      onHello: (hello) => this.#session?.onHello(hello.worker),
      onInvalid: (err) => this.#logger.warn({ err: err.message }, 'invalid message from a worker'),
    })
    this.#router = router
    this.addCloseStep('router', () => router.close())
    await router.start()
    this.#watch('router', router.closed)
    this.#endpoint = advertisedAddress(router.endpoint, config.advertiseHost)
    const port = Number(new URL(this.#endpoint.replace(/^tcp:/, 'http:')).port)
    if (config.metricsPort !== undefined) await this.#serveMetrics(config.metricsPort)
    const registry = createProcessRegistry(plane, { heartbeatMs: config.heartbeatMs })
    // `streams` and `endpoints` are ProcessInfo fields that RegisterOptions does not type yet.
    const info = {
      ...(this.#metricsUrl === undefined ? {} : { url: this.#metricsUrl }),
      tags: [],
      ports: { data: port },
      streams: [...config.streams],
      endpoints: { data: this.#endpoint },
    }
    const registration = await registry.register({ role: 'ingester', name, info })
    this.addCloseStep('registration', () => registration.close())
    this.#watch('registration', registration.closed)
    this.addCloseStep('scan session', () => this.#stopSession())
    const rejoin = await findRunningScan(plane)
    this.spawn('scan updates', (signal) =>
      followScans(
        plane,
        {
          started: (state) => this.#begin(state),
          ended: async (scanId, end) => {
            if (this.#session?.scanId !== scanId) return
            this.#logger.info({ scanId, type: end, frameMemory: this.frameSlabStats }, 'scan ended')
            await this.#stopSession()
          },
          invalid: (err) => this.#logger.error({ err: err.message }, 'bad scan update skipped'),
        },
        signal,
        rejoin,
      ),
    )
    this.#logger.info(
      { ingester: name, endpoint: this.#endpoint, streams: config.streams },
      'ingester up',
    )
  }

  async #serveMetrics(port: number): Promise<void> {
    const { server, url } = await startMetricsServer({
      registry: this.metrics.registry,
      port,
      host: this.#config.metricsHost,
      advertiseHost: this.#config.advertiseHost,
      live: () => this.state !== 'closed',
      ready: () => this.state === 'running',
    })
    this.addCloseStep('metrics server', () => server.close())
    this.#metricsUrl = url
  }

  /** Close the ingester when a part it owns ends with an error on its own. */
  #watch(what: string, closed: Promise<Error | undefined>, stillOwned = () => true): void {
    void closed.then((err) => {
      if (err === undefined || this.state !== 'running' || !stillOwned()) return
      this.fail(new Error(`${what}: ${err.message}`, { cause: err }))
    })
  }

  async #begin(state: ScanState): Promise<void> {
    const { scanId } = state
    if (this.#session?.scanId === scanId) return
    await this.#stopSession()
    const streams: StreamName[] = this.#config.streams.filter((s) => state.streams.includes(s))
    if (streams.length === 0) {
      this.#logger.debug({ scanId }, 'scan uses none of our streams')
      return
    }
    const config = this.#config
    const { plane } = this.#deps
    const name = ingesterName(config)
    const scanPlan = await this.#compile(state)
    if (scanPlan === undefined) return
    const readMark = plane.keys.ingester(scanId, name)
    if ((await plane.get(readMark)) !== undefined) {
      // An earlier run of this ingester had read from the device for this scan: the frames it
      // held are gone and the device's next frame cannot be matched to its event. Stop the scan
      // (the controller stops on upstream-lost) rather than mislabel frames.
      await this.#reportError(
        scanId,
        `upstream-lost: ingester '${name}' restarted during scan ${scanId} after it had read from its device; the frames it held are lost and later frames cannot be matched to their events`,
        { kind: UPSTREAM_LOST },
      )
      return
    }
    const upstream = markFirstRead(this.#deps.upstream, async () => {
      try {
        await plane.set(readMark, '1', { ttlMs: READ_MARK_TTL_MS })
      } catch (err) {
        // Without the mark only the restart guard is lost; the scan goes on.
        this.#logger.warn({ scanId, err: String(err) }, 'cannot mark the scan as being read')
      }
    })
    const parameters = await createParameterStore(plane).getAll()
    const prefix = parameters.values.get(DUMP_PREFIX)
    const session = new ScanSession({
      scanId,
      ingesterName: name,
      streams,
      scanPlan,
      plane,
      logs: createLogStream(plane),
      upstream,
      router: this.#router!,
      logger: this.#logger,
      bufferBytes: config.bufferBytes,
      batchEvents: config.batchEvents,
      batchBytes: config.batchBytes,
      helloTimeoutMs: config.helloTimeoutMs,
      dumpDir: config.dumpDir,
      dumpPath: config.dumpPath,
      dumpPrefix: prefix === undefined ? undefined : new TextDecoder().decode(prefix),
      frameSlabs: this.#frameSlabs,
    })
    this.#session = session
    this.#logger.info({ scanId, streams }, 'scan started')
    this.#watch(`scan ${scanId}`, session.closed, () => this.#session === session)
    await session.start()
  }

  /**
   * The scan's sequence, compiled: which events read which stream, so frames are matched to
   * events by their frame number. A sequence that does not compile (the controller validated
   * it, so only a foreign writer gets here) is reported, and the scan is not served.
   */
  async #compile(state: ScanState): Promise<ScanPlan | undefined> {
    try {
      return compileScanPlan(parseSequence(state.sequence), { allWrap: state.allWrap })
    } catch (err) {
      await this.#reportError(
        state.scanId,
        `ingester '${ingesterName(this.#config)}' cannot serve scan ${state.scanId}: its sequence does not compile: ${toError(err).message}`,
      )
      return undefined
    }
  }

  /** An error operators must see: the process log and the shared log stream. */
  async #reportError(
    scanId: ScanId,
    message: string,
    context: Record<string, string> = {},
  ): Promise<void> {
    this.#logger.error({ scanId }, message)
    await createLogStream(this.#deps.plane)
      .append({
        time: Date.now(),
        level: 'error',
        role: 'ingester',
        name: ingesterName(this.#config),
        message,
        context: { ...context, scanId },
      })
      .catch((err: unknown) =>
        this.#logger.error({ scanId, err: String(err) }, 'cannot write to the log stream'),
      )
  }

  async #stopSession(): Promise<void> {
    const session = this.#session
    if (session === undefined) return
    this.#lastStats = session.stats()
    // Totals take the scan's counts in the same turn it stops being current: no dip, no double.
    this.metrics.scanEnded(this.#lastStats)
    this.#session = undefined
    await session.close({ force: true })
  }
}

/**
 * Create (not start) an ingester. `start()` binds its ROUTER (reading back the port),
 * registers it (role `ingester`, its streams, `endpoints.data`), and follows `scan-updates`:
 * for each scan that uses its streams it opens the upstream, follows the scan's assignments and
 * forwards exactly the assigned frames, untouched, to the assigned workers (see
 * docs/ingesters.md). A scan that ends closes the upstream and drops what was kept.
 *
 * Throws `CONFIG_INVALID` for an invalid config (before anything opens); `start()` rejects with `CONFIG_INVALID` when the bind address is bad or taken, and with
 * `STATE_INVALID` when the name is registered by a live ingester. `closed` carries the error
 * when the control plane or the router is lost.
 */
export function createIngester(config: IngesterConfigInput, deps: IngesterDeps): Ingester {
  return new IngesterService(parseConfig(IngesterConfig, config, 'ingester config'), deps)
}
