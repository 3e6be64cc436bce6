import {
  AnalysisError,
  analysisError,
  callFailure,
  type EventData,
  type EventVerdict,
  type ModuleDigest,
  moduleDigest,
  nextTimerS,
  type Parameters,
  parametersHash,
  parseModuleSpec,
  readParameterFile,
  readRecording,
  resolveParameters,
  runEvents,
  TurnAssigner,
  type WorkerMessage,
  type WorkerName,
  workerName,
} from '../../src/analysis-runtime.js'
import { checkParameterValues } from '../check-parameters.js'
import type { CaptureSource } from './capture-flag.js'
import { type H5Source, h5Messages } from './h5-source.js'
import { mergeByEvent } from './merge-by-event.js'
import type { ReadCaptureOptions } from './read-capture.js'
import { openReplayAnalysis } from './replay-analysis.js'
import { openSourceClass } from './source-class.js'

/** What `beamloom replay` is asked to do. */
export interface ReplayOptions {
  /** Worker module, `path/to/file.ts:ExportName` or `path/to/module.py:Class`. */
  readonly worker: string
  /** Reducer module, `path/to/file.ts:ExportName` or `path/to/module.py:Class`. */
  readonly reducer: string
  /** Recordings (`.cbors`), merged by event number. */
  readonly files: readonly string[]
  /**
   * Raw upstream captures, each one stream: its messages, framed as the device's ingester
   * frames them, are events 0, 1, 2, … of that stream, merged with the recordings by number.
   */
  readonly captures?: readonly CaptureSource[] | undefined
  /**
   * A source class, `path/to/file.ts:ExportName` (Dranspose's `-s`): its generators are merged
   * with the recordings by event number.
   */
  readonly source?: string | undefined
  /** HDF5 image stacks, each replayed as a STINS stream (header, one image per frame, end). */
  readonly h5?: readonly H5Source[] | undefined
  /** A capture message the device's upstream skipped as invalid. */
  readonly onCaptureInvalid?: ((stream: string, reason: string) => void) | undefined
  /**
   * Something about the sources worth saying that does not stop the replay: event numbers
   * that do not increase (replayed in file order).
   */
  readonly onWarning?: ((message: string) => void) | undefined
  /** Parameters file (JSON list of `{name, data}` / `{name, value}`). */
  readonly parametersFile?: string | undefined
  /** Number of worker instances (default 2). */
  readonly workers?: number | undefined
  /** Stop at the first failure in user code. */
  readonly failFast?: boolean | undefined
  /** Where relative module paths resolve (default: the process's cwd). */
  readonly cwd?: string | undefined
  /** Called after each event with the count so far. */
  readonly onEvent?: ((done: number) => void) | undefined
  /** Called with each failure as it happens (for logging). */
  readonly onFailure?: ((failure: ReplayFailure) => void) | undefined
  /**
   * Called once the reducer instance exists, with a live view of its `publish` (for
   * `--serve`: readers between two `processResult` calls see it as it is then), the
   * parameters and the modules with their hashes.
   */
  readonly onReducer?: ((live: ReplayLive) => void) | undefined
  /** Where a recording source comes from; defaults to reading `.cbors` files. */
  readonly openSource?: ((file: string) => AsyncIterable<WorkerMessage>) | undefined
}

/** What a replay shows while it runs (`onReducer`). */
export interface ReplayLive {
  readonly publish: unknown
  readonly parameters: Parameters
  readonly worker: ModuleDigest
  readonly reducer: ModuleDigest
  /** Events replayed so far, and distinct events some user code failed on. */
  readonly events: number
  readonly failedEvents: number
}

/** One failure in user code during a replay. */
export interface ReplayFailure {
  /** `worker` or `reducer`. */
  readonly role: 'worker' | 'reducer'
  readonly module: string
  /** The event, or undefined for `finish`/`timer`/`close`. */
  readonly eventNumber: number | undefined
  readonly message: string
  readonly error: AnalysisError
}

/** What a replay did. */
export interface ReplayReport {
  readonly events: number
  readonly results: number
  /** Distinct events for which some user code failed. */
  readonly failedEvents: number
  readonly failures: readonly ReplayFailure[]
  /** The reducer's `publish` after `finish`. */
  readonly publish: unknown
  readonly parameters: Parameters
  /** True when `failFast` stopped the replay early. */
  readonly stoppedEarly: boolean
  /** The modules and the SHA-256 of their files. */
  readonly worker: ModuleDigest
  readonly reducer: ModuleDigest
}

class FailFast extends Error {}

/**
 * Run worker and reducer code over recordings in this process, as a live scan would: events are
 * assigned by the live controller's rules for an open uniform plan (`TurnAssigner`), so the first and
 * the last event go to every worker (to none when nothing comes between them, as in a live scan
 * of no frames) and the others to one worker each, in turns; the reducer runs each result to
 * completion before the next; results pass through the CBOR wire encoding.
 *
 * Resolves with a report; failures of user code are collected (or, with `failFast`, end the
 * replay). Rejects only on set-up errors: `MODULE_NOT_FOUND`, `MODULE_INVALID`,
 * `CONFIG_INVALID` (also a capture of a device that cannot replay one, or a Python source
 * class, or an HDF5 file that cannot be read, or a parameter no module describes),
 * `PARAMETER_INVALID` (a value that does not parse as its dtype), `RECORDING_CORRUPT`,
 * `RECORDING_TRUNCATED`, `DECODE_FAILED` (HDF5 data that cannot be decoded); and on a source
 * class that throws (`ANALYSIS_FAILED`) or yields something that is not a worker message
 * (`PROTOCOL_INVALID`).
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplayReport> {
  const nWorkers = opts.workers ?? 2
  if (!Number.isInteger(nWorkers) || nWorkers < 1) {
    throw new RangeError(`workers must be a positive integer, got ${nWorkers}`)
  }
  const analysis = await openReplayAnalysis(opts.worker, opts.reducer, nWorkers, opts.cwd)
  const wmodule = opts.worker
  const rmodule = opts.reducer
  const setValues = opts.parametersFile
    ? await readParameterFile(opts.parametersFile)
    : new Map<string, Uint8Array>()
  // Refused once, here, rather than failing every event: a name no module describes, a value
  // that does not parse as its dtype.
  if (opts.parametersFile) {
    checkParameterValues(setValues, analysis.parameters, opts.parametersFile)
  }
  const parameters = resolveParameters(analysis.parameters, setValues)
  const hash = parametersHash(parameters)
  const [workerDigest, reducerDigest] = await Promise.all([
    moduleDigest(parseModuleSpec(opts.worker, opts.cwd)),
    moduleDigest(parseModuleSpec(opts.reducer, opts.cwd)),
  ])
  const generated = opts.source === undefined ? [] : await openSourceClass(opts.source, opts.cwd)

  const failures: ReplayFailure[] = []
  const failedEvents = new Set<number>()
  const record = (role: 'worker' | 'reducer', module: string, err: unknown): void => {
    // Only failures of user code are collected; anything else is ours and ends the replay.
    if (!(err instanceof AnalysisError)) throw err
    const failure: ReplayFailure = {
      role,
      module,
      eventNumber: err.eventNumber,
      message: err.message,
      error: err,
    }
    failures.push(failure)
    if (err.eventNumber !== undefined) failedEvents.add(err.eventNumber)
    opts.onFailure?.(failure)
  }
  const fail = (role: 'worker' | 'reducer', module: string, err: unknown): void => {
    record(role, module, err)
    if (opts.failFast) throw new FailFast()
  }

  const { workers, reducer } = analysis
  for (let i = 0; i < workers.length; i++) {
    await workers[i]!.begin({
      parameters,
      state: { name: `replay-worker-${i}`, tags: ['generic'] },
    })
  }
  await reducer.begin({ parameters, state: { name: 'reducer', tags: [] } })
  let events = 0
  opts.onReducer?.({
    get publish() {
      return reducer.publish()
    },
    parameters,
    worker: workerDigest,
    reducer: reducerDigest,
    get events() {
      return events
    },
    get failedEvents() {
      return failedEvents.size
    },
  })

  let results = 0
  let stoppedEarly = false
  let nextTimerMs = reducer.hasTimer ? 0 : Number.POSITIVE_INFINITY

  const runTimer = async (): Promise<void> => {
    const out = await reducer.timer(parameters)
    nextTimerMs = Date.now() + nextTimerS(out) * 1000
    const failure = callFailure(out)
    if (failure !== undefined) fail('reducer', rmodule, analysisError(rmodule, undefined, failure))
  }

  const names = workers.map((_, i) => workerName(`replay-worker-${i}`))
  const runOn = async (event: EventData, i: number): Promise<void> => {
    // The live worker's rules for an event (`runEvents`): a missing frame fails it unrun, the
    // outcome of the call decides between result, done and failed.
    const [verdict] = await runEvents(wmodule, [event], (list) =>
      workers[i]!.processEvents(list, parameters),
    )
    if (verdict === undefined || verdict.kind === 'done') return
    if (verdict.kind !== 'result') {
      fail('worker', wmodule, workerFailure(wmodule, event.eventNumber, verdict))
      return
    }
    results++
    const [reduced] = await reducer.processResults(
      [
        {
          eventNumber: event.eventNumber,
          worker: names[i] as WorkerName,
          parametersHash: hash,
          payload: verdict.payload,
        },
      ],
      parameters,
    )
    // The live reducer's rule: a call that did not return failed the result.
    const failure = reduced === undefined ? undefined : callFailure(reduced)
    if (failure !== undefined) {
      fail('reducer', rmodule, analysisError(rmodule, event.eventNumber, failure))
    }
  }
  // Counts a finished event; true when the reducer's timer is due.
  const countEvent = (): boolean => {
    events++
    opts.onEvent?.(events)
    return nextTimerMs !== Number.POSITIVE_INFINITY && Date.now() >= nextTimerMs
  }
  // Which worker gets which event: the live controller's rules, the workers asking in turn.
  const turns = new TurnAssigner(workers.length)
  // Runs an event on the workers it was given, then counts it (the start and the last events).
  const runAssigned = async (event: EventData, to: readonly number[]): Promise<void> => {
    for (let k = 0; k < to.length; k++) await runOn(event, to[k]!)
    turns.completed()
    if (countEvent()) await runTimer()
  }

  let finalPublish: unknown = {}
  const open = opts.openSource ?? ((file: string) => readRecording(file))
  try {
    const onInvalid = opts.onCaptureInvalid
    const onWarning = opts.onWarning
    const merged = mergeByEvent(
      [
        ...opts.files.map((f) => ({ name: f, messages: open(f) })),
        ...(opts.captures ?? []).map((c) => ({
          name: c.file,
          messages: captureMessages(c, onInvalid === undefined ? {} : { onInvalid }),
        })),
        ...generated,
        ...(opts.h5 ?? []).map((source) => ({
          name: `${source.file}:${source.dataset ?? ''}`,
          messages: h5Messages(source),
        })),
      ],
      onWarning === undefined ? {} : { onWarning },
    )
    // An event's workers are known once the plan knows what the event is: whether it is
    // the end event, known when the next event has been read, and for the start event whether
    // anything comes between it and the end, known when the one after that has. So replay reads
    // one event ahead (two at the start) and runs events in order. The common path is inline
    // rather than in a per-event helper: one promise fewer per event.
    let pending: EventData | undefined
    let start: EventData | undefined
    for await (const event of merged) {
      turns.received()
      if (pending !== undefined) {
        const to = turns.next()
        if (to === undefined) start = pending
        else if (start !== undefined) {
          await runAssigned(start, to)
          start = undefined
          await runAssigned(pending, turns.next()!)
        } else {
          for (let k = 0; k < to.length; k++) await runOn(pending, to[k]!)
          turns.completed()
          if (countEvent()) await runTimer()
        }
      }
      pending = event
    }
    turns.ended()
    if (start !== undefined) await runAssigned(start, turns.next()!)
    if (pending !== undefined) await runAssigned(pending, turns.next()!)
    if (events > 0 && !turns.plan.hasOrdinaryEvents) {
      opts.onWarning?.(
        `only ${events === 1 ? 'one event' : `${events} events`}: the start and end events of a scan with nothing between them go to no worker, as in a live scan of no frames; processEvent was not called`,
      )
    }

    for (const w of workers) {
      try {
        await w.finish(parameters)
      } catch (err) {
        fail('worker', wmodule, err)
      }
    }
    try {
      await reducer.finish(parameters)
    } catch (err) {
      fail('reducer', rmodule, err)
    }
  } catch (err) {
    if (!(err instanceof FailFast)) throw err
    stoppedEarly = true
  } finally {
    const publish = reducer.publish()
    for (const w of workers) {
      try {
        await w.close()
      } catch (err) {
        record('worker', wmodule, err)
      }
    }
    try {
      await reducer.close()
    } catch (err) {
      record('reducer', rmodule, err)
    }
    finalPublish = publish
  }

  return {
    events,
    results,
    failedEvents: failedEvents.size,
    failures,
    publish: finalPublish,
    parameters,
    stoppedEarly,
    worker: workerDigest,
    reducer: reducerDigest,
  }
}

/**
 * A worker's failed event as replay reports it. Replay has no second worker to try an event on:
 * an event whose call overran or crashed the analysis fails with the reason at once.
 */
function workerFailure(
  module: string,
  eventNumber: number,
  verdict: Exclude<EventVerdict, { kind: 'result' | 'done' }>,
): AnalysisError {
  switch (verdict.kind) {
    case 'failed':
      // A result the wire cannot carry is the worker's fault too.
      return verdict.code === 'PROTOCOL_INVALID'
        ? analysisError(module, eventNumber, `result cannot be sent: ${verdict.reason}`)
        : verdict.error
    case 'fault':
      return analysisError(module, eventNumber, verdict.reason)
    default:
      return analysisError(module, eventNumber, 'skipped')
  }
}

/**
 * A capture's events; the device registry (and zmq) is loaded only when a capture is
 * replayed, so a replay of recordings starts without it.
 */
async function* captureMessages(
  source: CaptureSource,
  options: ReadCaptureOptions,
): AsyncGenerator<WorkerMessage> {
  const { readCapture } = await import('./read-capture.js')
  yield* readCapture(source, options)
}
