import { readFile } from 'node:fs/promises'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { parse as parseYaml } from 'yaml'
import type { UpstreamFactory } from '../../ingesters/index.js'
import {
  createIngester,
  deviceType,
  type Ingester,
  IngesterConfig,
  isListeningUpstreamFactory,
  type SimulatorSpec,
} from '../../ingesters/index.js'
import { createReducer, type Reducer } from '../../reducer/index.js'
import { buildControllerApp, type Controller, createController } from '../../src/http.js'
import {
  ConfigError,
  ControllerEnv,
  type ControlPlane,
  createMemoryControlPlane,
  createParameterStore,
  createProcessLogger,
  createRoleControlPlane,
  isBeamloomError,
  MappingInvalidError,
  ParameterName,
  parseLogEnv,
  parseSequence,
  parseTriggerMap,
  readParameterFile,
  type ScanId,
  type Sequence,
  StateError,
  sequenceFromTriggerMap,
  sleep,
  streamName,
  uniformTriggerMap,
  warnIfExposed,
} from '../../src/internal.js'
import { createWorker, type WorkerService } from '../../workers/index.js'
import { runsInThread, startThreadWorker } from './thread-workers.js'
import type { UpSpec } from './up-spec.js'
import { type AddPart, UpStack } from './up-stack.js'

/** Everything `beamloom up` started, to wait on and to close. */
export interface UpSystem {
  readonly controllerUrl: string
  readonly reducerUrl: string
  readonly controller: Controller
  readonly reducer: Reducer
  /**
   * Start the scan (retries while workers and ingesters are still registering).
   * @throws StateError `STATE_INVALID` with `spec.serve` (scans come from the HTTP API).
   */
  startScan(signal?: AbortSignal): Promise<ScanId>
  /** Close everything, in reverse order of start; safe to call twice, never rejects. */
  close(): Promise<void>
  /** Settles once everything is closed, with the first error of a part's close; never rejects. */
  readonly closed: Promise<Error | undefined>
}

/** What the parts of `up` give the caller once started (see {@link UpSystem}). */
type UpParts = Omit<UpSystem, 'close' | 'closed'>

async function loadSequence(spec: UpSpec, streams: readonly string[]): Promise<Sequence> {
  if (spec.map === undefined) {
    const frames = spec.frames ?? Math.max(0, ...spec.simulate.map((s) => s.frames))
    if (frames < 1)
      throw new ConfigError('give --frames N or a --map file (no simulator says how many)')
    return sequenceFromTriggerMap(uniformTriggerMap(streams.map(streamName), frames))
  }
  let json: unknown
  try {
    json = parseYaml(await readFile(spec.map, 'utf8'))
  } catch (cause) {
    throw new ConfigError(`cannot read map ${spec.map}: ${(cause as Error).message}`, { cause })
  }
  const isSequence = typeof json === 'object' && json !== null && 'sequence' in json
  return isSequence ? parseSequence(json) : sequenceFromTriggerMap(parseTriggerMap(json))
}

/** What {@link startUp} takes besides the spec. */
export interface StartUpOptions {
  /**
   * The parts' logger (each part logs as a child); default: `LOG_LEVEL` (warn) of this
   * process's env, to stderr.
   */
  readonly logger?: Logger
  /** How long to wait for `spec.redis` at start-up, ms (default 10 s). */
  readonly connectTimeoutMs?: number
  /** Parameter values to set before the scan (checked by the caller); default: `spec.parameters` read as is. */
  readonly parameters?: ReadonlyMap<string, Uint8Array>
}

/**
 * Start controller, reducer, workers, ingesters and simulators in this process, sharing one
 * control plane (in memory unless `spec.redis`), as one service ({@link UpStack}): closing it
 * closes simulators and ingesters, workers, reducer, controller, control plane, in reverse order
 * of start. Rejects, after closing what it started, when a part fails to start.
 */
export async function startUp(spec: UpSpec, options: StartUpOptions = {}): Promise<UpSystem> {
  const stack = new UpStack<UpParts>('beamloom up', (add) => startParts(spec, options, add))
  await stack.start()
  return { ...stack.parts, close: () => stack.close(), closed: stack.closed }
}

/** Start every part in order, registering each one's close with `add` right after it started. */
async function startParts(spec: UpSpec, options: StartUpOptions, add: AddPart): Promise<UpParts> {
  const streams = [...spec.simulate.map((s) => s.stream), ...spec.ingester.map((s) => s.stream)]
  if (new Set(streams).size !== streams.length) throw new ConfigError('a stream is given twice')
  // With `serve` the scans come from the controller's HTTP API: no map of our own.
  const sequence = spec.serve ? undefined : await loadSequence(spec, streams)

  // One logger for every part; `LOG_LEVEL=info` shows the parts' own logs.
  const logger = options.logger ?? createProcessLogger({ log: parseLogEnv(process.env, 'up') })
  const plane: ControlPlane =
    spec.redis === undefined
      ? createMemoryControlPlane({ keyPrefix: spec.keyPrefix })
      : createRoleControlPlane({
          url: spec.redis,
          keyPrefix: spec.keyPrefix,
          role: 'controller',
          name: 'up',
          logger,
          ...(options.connectTimeoutMs === undefined
            ? {}
            : { connectTimeoutMs: options.connectTimeoutMs }),
        })
  await plane.start()
  add('control plane', () => plane.close())

  // Each worker in its own thread (its own event loop: one scan uses more than one core),
  // unless told otherwise or the analysis is Python (its host is a process of its own already).
  // The threads start now, loading their code while this thread starts the other parts.
  const threads = spec.workerThreads && runsInThread(spec.worker)
  const threadWorkers = threads
    ? Array.from({ length: spec.workers }, (_, i) =>
        startThreadWorker(plane, `worker-${i}`, spec.worker),
      )
    : []
  for (const started of threadWorkers) {
    // Closed (once started) even when start-up fails before it waits for them below.
    add('worker thread', async () => (await started.catch(() => undefined))?.close())
  }

  const parameters =
    options.parameters ??
    (spec.parameters === undefined ? undefined : await readParameterFile(spec.parameters))
  if (parameters !== undefined) {
    const store = createParameterStore(plane)
    for (const [name, bytes] of parameters) {
      await store.set(ParameterName.parse(name), bytes)
    }
  }

  // The controller as `beamloom controller` runs with no CONTROLLER_* set: its defaults come
  // from its own config schema, never restated here. `up` has no token, and its URL is the
  // bound one.
  const defaults = ControllerEnv.parse({})
  let controllerUrl = ''
  const controller = createController(
    { ...defaults, url: () => controllerUrl },
    { plane, logger: logger.child({ name: 'controller' }) },
  )
  const app: FastifyInstance = buildControllerApp(controller, {
    logger: logger.child({ name: 'http' }),
    bodyLimitBytes: defaults.bodyLimitBytes,
    parameterBodyLimitBytes: defaults.parameterBodyLimitBytes,
    maxLogStreams: defaults.maxLogStreams,
  })
  add('controller http api', async () => {
    await app.close()
  })
  // `up` has no token: beyond loopback, anyone on the network can drive it.
  warnIfExposed(
    logger,
    'the controller API of beamloom up',
    spec.host,
    undefined,
    'CONTROLLER_TOKEN by running `beamloom controller` on its own, or keep --host on loopback',
  )
  await app.listen({ host: spec.host, port: spec.port })
  const address = app.server.address()
  controllerUrl = `http://${spec.host}:${typeof address === 'object' && address ? address.port : spec.port}`
  await controller.start()
  add('controller', () => controller.close())

  const reducer = createReducer(
    { reducerModule: spec.reducer, httpHost: spec.host, httpPort: spec.reducerPort },
    { plane, logger: logger.child({ name: 'reducer' }) },
  )
  await reducer.start()
  add('reducer', () => reducer.close())

  const startIngester = async (stream: string, upstream: UpstreamFactory): Promise<void> => {
    // A device that sends to its ingester (Sardana) has a listener living as long as it.
    if (isListeningUpstreamFactory(upstream)) {
      await upstream.start()
      add(`${stream} listener`, () => upstream.close())
    }
    const ingester: Ingester = createIngester(IngesterConfig.parse({ streams: [stream] }), {
      plane,
      upstream,
      logger: logger.child({ name: `${stream}-ingester` }),
    })
    await ingester.start()
    add(`${stream} ingester`, () => ingester.close())
  }

  await Promise.all(threadWorkers)
  await Promise.all(
    Array.from({ length: threads ? 0 : spec.workers }, async (_, i) => {
      const name = `worker-${i}`
      const worker: WorkerService = createWorker(
        { name, workerModule: spec.worker },
        { plane, logger: logger.child({ name }) },
      )
      await worker.start()
      add(name, () => worker.close())
    }),
  )

  for (const source of spec.simulate) {
    const device = deviceType(source.device)
    const simulatorSpec: SimulatorSpec = {
      bind: 'tcp://127.0.0.1:*',
      frames: source.frames,
      rateHz: source.rateHz,
      shape: source.shape,
      dtype: source.dtype,
      compression: source.compression,
      options: source.options,
      ...(source.capture === undefined ? {} : { capture: source.capture }),
    }
    if (device.binds === 'ingester') {
      // The ingester listens first (any free port), then the simulator sends to it.
      const upstream = device.upstream(`http://${spec.host}:0`)
      await startIngester(source.stream, upstream)
      if (!isListeningUpstreamFactory(upstream)) {
        throw new ConfigError(`--simulate ${source.device}: its ingester has no listen address`)
      }
      const sim = device.simulator({ ...simulatorSpec, target: upstream.url })
      await sim.start()
      add(`${source.stream} simulator`, () => sim.close())
      continue
    }
    const sim = device.simulator(simulatorSpec)
    await sim.start()
    add(`${source.stream} simulator`, () => sim.close())
    await startIngester(source.stream, device.upstream(sim.endpoint))
  }
  for (const source of spec.ingester) {
    await startIngester(source.stream, deviceType(source.device).upstream(source.url))
  }

  const startScan = async (signal?: AbortSignal): Promise<ScanId> => {
    if (sequence === undefined) throw new StateError('serving: scans come from the HTTP API')
    // Workers and ingesters register as they start; give the registry a moment to show them.
    for (let attempt = 0; ; attempt++) {
      try {
        return await controller.startScan(sequence, spec.allWrap)
      } catch (err) {
        const waiting = err instanceof MappingInvalidError || isBeamloomError(err, 'STATE_INVALID')
        if (!waiting || attempt >= 100) throw err
        await sleep(100, signal)
      }
    }
  }
  return { controllerUrl, reducerUrl: reducer.url, controller, reducer, startScan }
}
