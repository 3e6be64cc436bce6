/**
 * A worker and a reducer that record which worker's result the reducer got for each event:
 * an independent view of "who completed what" to hold the controller's `/api/v1/status`
 * against. Loaded by `path:Export` like users' modules.
 */
import type { EventData, ReducerAnalysis, ResultData, WorkerAnalysis } from '../../src/internal.js'

export class EchoWorker implements WorkerAnalysis {
  processEvent(event: EventData): { readonly event: number } {
    return { event: event.eventNumber }
  }
}

export class WhoReducer implements ReducerAnalysis {
  /** Event number → the workers whose result for it was reduced. */
  readonly publish: { events: Record<string, string[]> } = { events: {} }

  processResult(result: ResultData): void {
    const key = String(result.eventNumber)
    const list = this.publish.events[key] ?? []
    list.push(result.worker)
    this.publish.events[key] = list
  }
}
