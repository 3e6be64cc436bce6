/**
 * A worker and a reducer for tests of the live surfaces (metrics, push updates, the viewer,
 * the status page). Loaded by `path:Export` like users' modules.
 *
 * Worker: per event, a value `gain · sin(event / 4)` and a spot position derived from the event
 * number; it throws for every event whose number ends in 3 (failed events). Parameters `gain`
 * (float ≥ 0), `label` (str) and `flip` (bool, negates the value), for the status page's form.
 * Reducer: `publish.trace` (1-D, the values in arrival order), `publish.image` (2-D, 32 × 32
 * rows, +1 at each result's spot and its neighbours), both changing with every result, and
 * two NeXus NXdata groups of the same data: `signal` (the values sorted by event number,
 * units `V`; the first NXdata, so the default plot) and `spots` (the image against axes `y`
 * and `x` in mm).
 */
import type {
  EventData,
  ParameterDescriptionInput,
  Parameters,
  ReducerAnalysis,
  ResultData,
  WorkerAnalysis,
} from '../../src/internal.js'

/** Image side, pixels. */
export const SIDE = 32

interface Spot {
  readonly value: number
  readonly x: number
  readonly y: number
}

export class SpotWorker implements WorkerAnalysis {
  static describeParameters(): ParameterDescriptionInput[] {
    return [
      { name: 'gain', dtype: 'float', default: 1, min: 0, description: 'scales the value' },
      { name: 'label', dtype: 'str', default: 'spot', description: 'a name, not used' },
      { name: 'flip', dtype: 'bool', default: false, description: 'negates the value' },
    ]
  }

  processEvent(event: EventData, parameters: Parameters): Spot {
    const e = event.eventNumber
    if (e % 10 === 3) throw new Error(`event ${e} fails on purpose`)
    const gain = Number(parameters.gain?.value ?? 1)
    const sign = parameters.flip?.value === true ? -1 : 1
    return { value: sign * gain * Math.sin(e / 4), x: (e * 7) % SIDE, y: (e * 3) % SIDE }
  }
}

export class SpotReducer implements ReducerAnalysis {
  readonly publish = {
    trace: [] as number[],
    image: Array.from({ length: SIDE }, () => new Array<number>(SIDE).fill(0)),
    count: 0,
    signal: {
      value: [] as number[],
      event_number: [] as number[],
      value_attrs: { long_name: 'spot value', units: 'V' },
      event_number_attrs: { long_name: 'event number' },
    },
    signal_attrs: { NX_class: 'NXdata', signal: 'value', axes: ['event_number'] },
    spots: {
      counts: [] as number[][],
      x: Array.from({ length: SIDE }, (_, i) => i * 0.5),
      y: Array.from({ length: SIDE }, (_, i) => i * 0.5),
      counts_attrs: { long_name: 'hits', units: 'counts' },
      x_attrs: { units: 'mm' },
      y_attrs: { units: 'mm' },
    },
    spots_attrs: { NX_class: 'NXdata', signal: 'counts', axes: ['y', 'x'] },
  }

  constructor() {
    this.publish.spots.counts = this.publish.image
  }

  processResult(result: ResultData): void {
    const { value, x, y } = result.payload as Spot
    this.publish.trace.push(value)
    this.publish.count++
    const { signal } = this.publish
    let at = signal.event_number.length
    while (at > 0 && (signal.event_number[at - 1] ?? 0) > result.eventNumber) at--
    signal.event_number.splice(at, 0, result.eventNumber)
    signal.value.splice(at, 0, value)
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const row = this.publish.image[(y + dy + SIDE) % SIDE]!
        const col = (x + dx + SIDE) % SIDE
        row[col] = (row[col] ?? 0) + (dx === 0 && dy === 0 ? 2 : 1)
      }
    }
  }
}
