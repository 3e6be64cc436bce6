import { ForwardPlan } from '../../../ingesters/base/forward-plan.js'
import type { StreamName, WorkerName } from '../../../src/internal.js'
import type { AssignmentEntry, RouteTuple } from '../../../src/protocol/scan-messages.js'

export const w = (name: string): WorkerName => name as WorkerName
export const s = (name: string): StreamName => name as StreamName

/** An assignment entry with defaults (nothing released, no reroutes, frontier 0). */
export function entry(
  partial: Partial<AssignmentEntry> & { released?: [number, number] },
): AssignmentEntry {
  return {
    seq: 0,
    released: [0, 0],
    rerouted: [],
    routes: {},
    slots: [],
    workerSlots: {},
    completedFrontier: 0,
    ...partial,
  }
}

/** Routes as tuples: `route(0, 3, ['a'])`. */
export function route(from: number, to: number, workers: string[] | null): RouteTuple {
  return [from, to, workers === null ? null : workers.map(w)]
}

/** A frame whose bytes name its stream and event. */
export function frame(stream: string, event: number, size = 4): Uint8Array[] {
  const bytes = new Uint8Array(size)
  bytes.set(new TextEncoder().encode(`${stream}${event}`).subarray(0, size))
  return [bytes]
}

/** A plan over `streams` with a mutable set of connected workers. */
export function makePlan(streams: string[], connected: string[], maxBufferBytes = 1 << 20) {
  const online = new Set<WorkerName>(connected.map(w))
  const plan = new ForwardPlan({
    streams: streams.map((name) => ({ name: s(name), typ: 'STINS' })),
    maxBufferBytes,
    isConnected: (worker) => online.has(worker),
  })
  return { plan, online }
}

/** Read every pending event, handing the plan `frame(stream, event)`; returns all deliveries. */
export function drain(plan: ForwardPlan) {
  const out = []
  for (let p = plan.pending(); p !== undefined; p = plan.pending()) {
    const frames: Uint8Array[][] = []
    for (const i of p.streams) frames[i] = frame(plan.streams[i]!.name, p.event)
    out.push(...plan.commit(p.event, frames))
  }
  return out
}
