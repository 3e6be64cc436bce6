import { AnalysisError } from '../errors.js'
import type { EventData } from '../protocol/event.js'
import { missingFrameError } from '../protocol/missing-frame.js'
import type { CallOutcome, RunnerEvent } from './analysis-runner.js'
import { failedOutcome } from './inline-worker-runner.js'

/*
 * What the outcome of a call into analysis code means for the scan: the rules the live worker
 * and reducer (`workers/scan-session.ts`, `reducer/scan-run.ts`) and `beamloom replay` share,
 * so that replay does what a live scan does with an event, a result or a timer.
 */

/** What a worker's call on one event means for that event. */
export type EventVerdict =
  /** A result, already encoded for the wire: it goes to the reducer. */
  | { readonly kind: 'result'; readonly payload: Uint8Array }
  /** No result: the event is done. */
  | { readonly kind: 'done' }
  /**
   * The event failed (the analysis threw, or a frame never came): recorded with its reason,
   * counted under `stream` when known; the scan goes on.
   */
  | {
      readonly kind: 'failed'
      /** The reason as the analysis gave it. */
      readonly reason: string
      readonly error: AnalysisError
      readonly code?: string
      readonly stream?: string
    }
  /** Not run (an earlier event of the call killed the analysis): it is still the worker's. */
  | { readonly kind: 'again' }
  /**
   * The call overran its time limit or crashed the analysis (which is now dead): the event is
   * let go, the controller decides whether another worker tries it.
   */
  | {
      readonly kind: 'fault'
      readonly fault: 'timeout' | 'crashed'
      readonly reason: string
      readonly error: AnalysisError
    }

/** Runs `processEvent` on events in one call (a runner's or a supervisor's `processEvents`). */
export type ProcessEvents = (events: readonly RunnerEvent[]) => Promise<CallOutcome[]>

/**
 * Hand `events` to the analysis of `module` and judge each: an event with a stream whose frame
 * never came (a missing-frame marker) fails with `FRAME_MISSING` and is never given to the
 * analysis; the others go to `process` in one call, in the order given. Resolves one verdict
 * per event, in order; rejects only when `process` rejects.
 */
export async function runEvents(
  module: string,
  events: readonly EventData[],
  process: ProcessEvents,
): Promise<EventVerdict[]> {
  const verdicts: EventVerdict[] = new Array(events.length)
  const run: RunnerEvent[] = []
  const at: number[] = []
  events.forEach((event, i) => {
    const missing = missingFrameError(event.streams)
    if (missing !== undefined)
      verdicts[i] = eventVerdict(module, event, failedOutcome(missing, event))
    else {
      run.push({ event: { eventNumber: event.eventNumber, streams: event.streams }, tick: false })
      at.push(i)
    }
  })
  if (run.length > 0) {
    const outcomes = await process(run)
    at.forEach((i, k) => {
      verdicts[i] = eventVerdict(module, events[i]!, outcomes[k] ?? { kind: 'skipped' })
    })
  }
  return verdicts
}

/** What one worker call's `outcome` on `event` means (see {@link EventVerdict}). */
export function eventVerdict(module: string, event: EventData, outcome: CallOutcome): EventVerdict {
  switch (outcome.kind) {
    case 'result':
      return { kind: 'result', payload: outcome.payload }
    case 'none':
      return { kind: 'done' }
    case 'skipped':
      return { kind: 'again' }
    case 'failed':
      return {
        kind: 'failed',
        reason: outcome.reason,
        error: analysisError(module, event.eventNumber, outcome.reason),
        ...(outcome.code === undefined ? {} : { code: outcome.code }),
        ...(outcome.stream === undefined ? {} : { stream: outcome.stream }),
      }
    default: {
      const what = outcome.kind === 'timeout' ? 'timed out' : 'crashed'
      return {
        kind: 'fault',
        fault: outcome.kind,
        reason: outcome.reason,
        error: new AnalysisError(
          module,
          event.eventNumber,
          `${what}: ${outcome.reason}`,
          undefined,
        ),
      }
    }
  }
}

/**
 * The reason a reducer call (`processResult`, `timer`) failed, or `undefined` when it returned
 * (with or without a value): thrown, overran its time limit, crashed the analysis, or not run.
 */
export function callFailure(outcome: CallOutcome): string | undefined {
  if (outcome.kind === 'none' || outcome.kind === 'result') return undefined
  return 'reason' in outcome ? outcome.reason : outcome.kind
}

/** When a reducer's `timer` runs next: `nextS` seconds after this call, 1 when it gave none. */
export function nextTimerS(outcome: { readonly nextS?: number }): number {
  return outcome.nextS ?? 1
}

/**
 * A failure of `module`'s code as an `AnalysisError` naming the module and the event once: a
 * reason that already begins with `module (event N): ` or `module: ` (TypeScript reasons name
 * the module) is not prefixed again.
 */
export function analysisError(
  module: string,
  eventNumber: number | undefined,
  reason: string,
): AnalysisError {
  const where = `${module}${eventNumber === undefined ? '' : ` (event ${eventNumber})`}: `
  const bare = `${module}: `
  const text = reason.startsWith(where)
    ? reason.slice(where.length)
    : reason.startsWith(bare)
      ? reason.slice(bare.length)
      : reason
  return new AnalysisError(module, eventNumber, text, undefined)
}
