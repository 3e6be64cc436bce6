/**
 * Test analysis for scans with malformed input: the worker parses the whole event with
 * `parseEvent` (so a malformed frame fails the event, named by its stream); the reducer keeps
 * the message kinds of every event that parsed.
 */
import {
  type EventData,
  parseEvent,
  type ReducerAnalysis,
  type ResultData,
  type WorkerAnalysis,
} from '../../../src/internal.js'

export class ParseEventWorker implements WorkerAnalysis {
  processEvent(event: EventData): unknown {
    const kinds: Record<string, string> = {}
    for (const [name, message] of Object.entries(parseEvent(event))) kinds[name] = message.kind
    return { event: event.eventNumber, kinds }
  }
}

export class ParseEventReducer implements ReducerAnalysis {
  publish: { events: Record<string, Record<string, string>> } = { events: {} }

  processResult(result: ResultData): void {
    const payload = result.payload as { event: number; kinds: Record<string, string> }
    this.publish.events[String(payload.event)] = payload.kinds
  }
}
