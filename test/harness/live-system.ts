import { randomUUID } from 'node:crypto'
import pino from 'pino'
import { createIngester, type Ingester } from '../../ingesters/base/create-ingester.js'
import { IngesterConfig } from '../../ingesters/base/ingester-config.js'
import { createStinsSimulator } from '../../ingesters/stins/stins-simulator.js'
import { createStinsUpstreamFactory } from '../../ingesters/stins/stins-upstream.js'
import { createReducer, type Reducer } from '../../reducer/index.js'
import { buildControllerApp, createController } from '../../src/http.js'
import {
  type ControlPlane,
  createMemoryControlPlane,
  isBeamloomError,
  MappingInvalidError,
  type ScanId,
  sequenceFromTriggerMap,
  sleep,
  streamName,
  uniformTriggerMap,
} from '../../src/internal.js'
import { createWorker, type WorkerService } from '../../workers/index.js'
import { repoPath } from './fixtures.js'
import { freePort } from './processes.js'

/** What {@link startLiveSystem} started. */
export interface LiveSystem {
  readonly plane: ControlPlane
  readonly controllerUrl: string
  readonly reducer: Reducer
  readonly worker: WorkerService
  readonly ingester: Ingester
  /** Start a scan of every simulated frame (retries while the parts register). */
  startScan(): Promise<ScanId>
  close(): Promise<void>
}

const WORKER = `${repoPath('test/harness/viewer-analysis.ts')}:SpotWorker`
const REDUCER = `${repoPath('test/harness/viewer-analysis.ts')}:SpotReducer`

/**
 * Controller, reducer, one worker and one STINS ingester fed by a rate-limited STINS
 * simulator, in this process on an in-memory control plane; the worker and the ingester serve
 * metrics on free ports. Logs at `error` and above go to stderr.
 */
export async function startLiveSystem(options: {
  frames: number
  rateHz: number
  /** Bearer token the controller's POSTs need; none by default. */
  token?: string
  /** A name for the scans it starts. */
  scanName?: string
}): Promise<LiveSystem> {
  const closers: (() => Promise<unknown>)[] = []
  const close = async (): Promise<void> => {
    for (const step of closers.splice(0).reverse()) await step().catch(() => {})
  }
  try {
    const logger = pino({ level: 'error' }, pino.destination({ fd: 2, sync: true }))
    const plane = createMemoryControlPlane({ keyPrefix: `live-${randomUUID().slice(0, 8)}` })
    await plane.start()
    closers.push(() => plane.close())
    let controllerUrl = ''
    const controller = createController(
      {
        name: 'controller',
        lookaheadEvents: 100_000,
        horizonEvents: 100_000,
        scanRetentionMs: 86_400_000,
        url: () => controllerUrl,
      },
      { plane, logger },
    )
    const app = buildControllerApp(
      controller,
      options.token === undefined ? {} : { token: options.token },
    )
    closers.push(() => app.close())
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    controllerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    await controller.start()
    closers.push(() => controller.close())
    const reducer = createReducer(
      { reducerModule: REDUCER, httpPort: 0, updatesThrottleMs: 100 },
      { plane, logger },
    )
    await reducer.start()
    closers.push(() => reducer.close())
    const worker = createWorker(
      { name: 'metrics-worker', workerModule: WORKER, metricsPort: 0, metricsHost: '127.0.0.1' },
      { plane, logger },
    )
    await worker.start()
    closers.push(() => worker.close())
    // The simulator starts with the scan, so its rate paces the scan (a simulator started
    // earlier would fill the ingester's queue before the scan begins).
    const simUrl = `tcp://127.0.0.1:${await freePort()}`
    const sim = createStinsSimulator({
      bind: simUrl,
      frames: options.frames,
      shape: [16, 16],
      dtype: 'uint16',
      rateHz: options.rateHz,
      compression: 'none',
    })
    // Forced: at teardown nobody reads the frames a stopped scan left queued (a graceful close
    // would linger for them).
    closers.push(() => sim.close({ force: true }))
    const ingester = createIngester(
      IngesterConfig.parse({ streams: ['det'], metricsPort: 0, metricsHost: '127.0.0.1' }),
      { plane, upstream: createStinsUpstreamFactory({ url: simUrl }), logger },
    )
    await ingester.start()
    closers.push(() => ingester.close())
    const sequence = sequenceFromTriggerMap(uniformTriggerMap([streamName('det')], options.frames))
    const startScan = async (): Promise<ScanId> => {
      for (let attempt = 0; ; attempt++) {
        try {
          const scanId = await controller.startScan(
            sequence,
            true,
            options.scanName === undefined ? {} : { name: options.scanName },
          )
          await sim.start()
          return scanId
        } catch (err) {
          const waiting =
            err instanceof MappingInvalidError || isBeamloomError(err, 'STATE_INVALID')
          if (!waiting || attempt >= 100) throw err
          await sleep(100)
        }
      }
    }
    return { plane, controllerUrl, reducer, worker, ingester, startScan, close }
  } catch (err) {
    await close()
    throw err
  }
}
