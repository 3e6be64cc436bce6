import type { EventData } from '../protocol/event.js'
import type { AnalysisState } from './contract.js'
import type { ParameterDescription, Parameters } from './parameters.js'

/**
 * Where a user's analysis class runs, seen from the engine. The engine (data plane, credits,
 * delivery) stays in the worker's or reducer's main thread; a runner hosts one class:
 * - `inline`: in the same thread (replay; no time limit can interrupt it),
 * - `thread`: in a worker thread that can be terminated (time limit, memory cap),
 * - `python`: in a Python process (a `.py` module), which can be killed.
 *
 * A runner hosts one instance at a time: `begin` makes a new one (per scan). When a call
 * overruns its time limit, or the host crashes or exceeds its memory cap, the runner is dead
 * (`alive` false): the call resolves with a `timeout` / `crashed` outcome for the item that was
 * running and `skipped` for the items of the batch that did not run, and the owner replaces
 * the runner (a new one, `begin` again). Payloads cross as bytes in the result-payload
 * encoding (`encodePayload`), so nothing is re-encoded on the way to the reducer.
 */
export type RunnerKind = 'inline' | 'thread' | 'python'

/** Limits a runner enforces on user code. */
export interface RunnerLimits {
  /** Longest `processEvent` / `processResult` / `timer` call, ms (`Infinity`: none). */
  readonly callTimeoutMs: number
  /** Longest constructor / `finish` / `close` call, ms. */
  readonly lifecycleTimeoutMs: number
  /** Memory cap of the analysis host, MiB (`Infinity`: none). */
  readonly memoryMiB: number
}

/** How one call of user code on one item ended. */
export type CallOutcome =
  /** A worker's result, already encoded for the wire. */
  | { readonly kind: 'result'; readonly payload: Uint8Array }
  /** No result (`undefined`/`null`), or a reducer call that returned normally. */
  | { readonly kind: 'none' }
  /** The user code threw: the reason names the error type and message. */
  | {
      readonly kind: 'failed'
      readonly reason: string
      /** A beamloom error code of the cause (`DECODE_FAILED`, …), when there is one. */
      readonly code?: string
      /** The stream whose frames were malformed, when known. */
      readonly stream?: string
    }
  /** The call overran `callTimeoutMs`: the runner is now dead. */
  | { readonly kind: 'timeout'; readonly reason: string }
  /** The host died or exceeded its memory cap during this call: the runner is now dead. */
  | { readonly kind: 'crashed'; readonly reason: string }
  /** Not run: an earlier item of the batch killed the runner. */
  | { readonly kind: 'skipped' }

/** One event for a worker runner. */
export interface RunnerEvent {
  readonly event: EventData
  /** Dranspose's `tick`: true for one event per tick interval of the scan. */
  readonly tick: boolean
}

/** The parts of a runner shared by worker and reducer runners. */
export interface AnalysisRunnerBase {
  readonly kind: RunnerKind
  /** Parameter descriptions of the hosted class (read when the runner was created). */
  readonly parameters: readonly ParameterDescription[]
  /** False once the host died, was killed or closed. */
  readonly alive: boolean
  /**
   * A new instance of the class (the old one is dropped without `close`). Rejects with an
   * `AnalysisError` (`ANALYSIS_FAILED`) when the constructor throws or overruns.
   */
  begin(init: { readonly parameters: Parameters; readonly state: AnalysisState }): Promise<void>
  /** `finish(parameters)` of the current instance, if it has one. Rejects like `begin`. */
  finish(parameters: Parameters): Promise<void>
  /** `close(context)` of the last instance, then stop the host. Idempotent; never rejects. */
  close(): Promise<void>
  /** Stop the host at once (a pending call resolves `crashed`/`skipped`). Idempotent. */
  kill(reason: string): void
}

/** A worker class's host. */
export interface WorkerRunner extends AnalysisRunnerBase {
  /**
   * `processEvent` on each event, in order, one at a time. Resolves one outcome per event; never
   * rejects for user errors. Once `signal` aborts (the worker is closing), events not started
   * yet come back `skipped` (runners that cannot stop between events may run them all).
   */
  processEvents(
    events: readonly RunnerEvent[],
    parameters: Parameters,
    signal?: AbortSignal,
  ): Promise<CallOutcome[]>
}

/** One result for a reducer runner; `payload` in the result-payload encoding. */
export interface RunnerResult {
  readonly eventNumber: number
  readonly worker: string
  readonly parametersHash: string
  readonly payload: Uint8Array
}

/** A reducer class's host. */
export interface ReducerRunner extends AnalysisRunnerBase {
  /** `processResult` on each result, in order, one at a time; one outcome per result. */
  processResults(results: readonly RunnerResult[], parameters: Parameters): Promise<CallOutcome[]>
  /** Whether the class has `timer`. Known after `begin`. */
  readonly hasTimer: boolean
  /** `timer(parameters)`: seconds until the next call (1 when it returns no positive number). */
  timer(parameters: Parameters): Promise<CallOutcome & { readonly nextS?: number }>
  /**
   * What the instance publishes now, as plain objects and typed arrays. Inline: the live
   * object. Out of process: the latest copy, refreshed at least every `publishMaxAgeMs`.
   */
  publish(): unknown
  /**
   * The instance's state for a durable snapshot, encoded (result-payload encoding): the class's
   * `snapshotState()` when it has one, else its own enumerable fields.
   */
  snapshotState(): Promise<Uint8Array>
  /** Put a snapshot back into the current (fresh) instance: `restoreState(state)` or the fields. */
  restoreState(state: Uint8Array): Promise<void>
}
