import type { EventData } from '../../protocol/event.js'
import type { CallOutcome } from '../analysis-runner.js'
import type { AnalysisState } from '../contract.js'
import type { ParameterDescription, Parameters } from '../parameters.js'

/**
 * Messages between the engine and an analysis thread (structured clone, one process). The
 * engine sends one request at a time and waits for its answer; the thread never sends
 * anything unasked.
 */
export type ToThread =
  | { readonly op: 'begin'; readonly parameters: Parameters; readonly state: AnalysisState }
  | {
      readonly op: 'events'
      readonly batch: number
      readonly events: readonly EventData[]
      readonly parameters: Parameters
    }
  | { readonly op: 'finish'; readonly parameters: Parameters }
  | { readonly op: 'close' }

/** The thread's answers. `loaded` comes once, unasked, when the module is loaded. */
export type FromThread =
  | { readonly op: 'loaded'; readonly parameters: readonly ParameterDescription[] }
  | { readonly op: 'ok' }
  | { readonly op: 'outcomes'; readonly batch: number; readonly outcomes: readonly CallOutcome[] }
  | { readonly op: 'error'; readonly code: string; readonly message: string }

/** What the thread is started with (`workerData`). */
export interface ThreadData {
  /** `path/to/file.ts:Export`, resolved against `cwd`. */
  readonly spec: string
  readonly cwd: string | undefined
  /**
   * Progress, written by the thread before each call: `[batch, index, startedAt (epoch ms)]`
   * as a Float64Array over this buffer, so the engine sees a stuck call without asking.
   */
  readonly progress: SharedArrayBuffer
}

/**
 * Slots of the progress buffer. `stop` is written by the engine: 1 makes the thread skip the
 * events of the batch it has not started (the worker is closing).
 */
export const PROGRESS = { batch: 0, index: 1, startedAt: 2, stop: 3, size: 4 } as const
