import type { EventData, ResultData } from '../protocol/event.js'
import type { ParameterDescriptionInput, Parameters } from './parameters.js'

/** What a worker or reducer instance learns about where it runs. */
export interface AnalysisState {
  /** Name of the worker (`replay-worker-0`, …) or `reducer`. */
  readonly name: string
  /** The worker's tags (empty for the reducer). */
  readonly tags: readonly string[]
}

/** Arguments of the constructor of a worker or reducer class (once per scan). */
export interface AnalysisInit {
  readonly parameters: Parameters
  /** An object that survives from scan to scan in the same process; free for the analysis. */
  readonly context: Record<string, unknown>
  readonly state: AnalysisState
}

/**
 * A worker analysis instance. `processEvent` is never called concurrently on one instance.
 * Return `undefined`/`null` for "no result"; anything else goes to the reducer.
 */
export interface WorkerAnalysis {
  processEvent(event: EventData, parameters: Parameters, tick: boolean): unknown
  /** Seconds between ticks: one worker of the scan gets `tick = true` per interval. */
  getTickInterval?(parameters: Parameters): number
  finish?(parameters: Parameters): unknown
  close?(context: Record<string, unknown>): unknown
}

/** A reducer analysis instance: `processResult` is called one at a time. */
export interface ReducerAnalysis {
  processResult(result: ResultData, parameters: Parameters): unknown
  /** Called periodically; returns seconds until the next call (default 1). */
  timer?(parameters: Parameters): unknown
  finish?(parameters: Parameters): unknown
  close?(context: Record<string, unknown>): unknown
  /** What HTTP clients read: nested plain objects, numbers, strings, arrays, typed arrays. */
  publish?: unknown
  /**
   * The instance's state for the reducer's durable snapshots (synchronous; plain data, typed
   * arrays). Without it, the instance's own enumerable fields are saved (`publish` included).
   */
  snapshotState?(): unknown
  /** Put a state from {@link snapshotState} back into a fresh instance (default: assign the fields). */
  restoreState?(state: unknown): unknown
}

/** A worker class as exported by a user module. */
export interface WorkerClass {
  new (init: AnalysisInit): WorkerAnalysis
  describeParameters?(): readonly ParameterDescriptionInput[]
}

/** A reducer class as exported by a user module. */
export interface ReducerClass {
  new (init: AnalysisInit): ReducerAnalysis
  describeParameters?(): readonly ParameterDescriptionInput[]
}
