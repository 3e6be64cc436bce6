/**
 * A worker and a reducer for tests of the live surfaces (metrics, push updates, the viewer).
 * Loaded by `path:Export` like users' modules.
 *
 * Worker: per event, a value `sin(event / 4)` and a spot position derived from the event
 * number; it throws for every event whose number ends in 3 (failed events).
 * Reducer: `publish.trace` (1-D, the values in arrival order) and `publish.image` (2-D, 32 × 32
 * rows, +1 at each result's spot and its neighbours), so both change with every result.
 */
import type { EventData, ReducerAnalysis, ResultData, WorkerAnalysis } from '../../src/index.js'

/** Image side, pixels. */
export const SIDE = 32

interface Spot {
  readonly value: number
  readonly x: number
  readonly y: number
}

export class SpotWorker implements WorkerAnalysis {
  processEvent(event: EventData): Spot {
    const e = event.eventNumber
    if (e % 10 === 3) throw new Error(`event ${e} fails on purpose`)
    return { value: Math.sin(e / 4), x: (e * 7) % SIDE, y: (e * 3) % SIDE }
  }
}

export class SpotReducer implements ReducerAnalysis {
  readonly publish = {
    trace: [] as number[],
    image: Array.from({ length: SIDE }, () => new Array<number>(SIDE).fill(0)),
    count: 0,
  }

  processResult(result: ResultData): void {
    const { value, x, y } = result.payload as Spot
    this.publish.trace.push(value)
    this.publish.count++
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const row = this.publish.image[(y + dy + SIDE) % SIDE]!
        const col = (x + dx + SIDE) % SIDE
        row[col] = (row[col] ?? 0) + (dx === 0 && dy === 0 ? 2 : 1)
      }
    }
  }
}
