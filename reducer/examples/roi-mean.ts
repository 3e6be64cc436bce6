/**
 * Example reducer: collects the ROI means of {@link RoiMeanWorker} by event number.
 *
 * `publish.roi.event_number` and `publish.roi.mean` are kept sorted by event number while
 * results arrive in any order, so a viewer can plot them at any time.
 */
import type { AnalysisInit, Parameters, ReducerAnalysis, ResultData } from '../../src/index.js'

interface RoiMeanPayload {
  readonly frame: number
  readonly mean: number
}

function isPayload(p: unknown): p is RoiMeanPayload {
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof (p as { mean?: unknown }).mean === 'number' &&
    typeof (p as { frame?: unknown }).frame === 'number'
  )
}

export class RoiMeanReducer implements ReducerAnalysis {
  readonly publish: {
    roi: { event_number: number[]; frame: number[]; mean: number[] }
    roi_attrs: { roi: string; NX_class: string }
  }

  constructor({ parameters }: AnalysisInit) {
    this.publish = {
      roi: { event_number: [], frame: [], mean: [] },
      roi_attrs: { roi: String(parameters.roi?.value ?? ':,:'), NX_class: 'NXdata' },
    }
  }

  processResult(result: ResultData, _parameters: Parameters): void {
    if (!isPayload(result.payload)) throw new Error('result is not {frame, mean}')
    const { event_number, frame, mean } = this.publish.roi
    // Binary search for the insertion point: results arrive in any order.
    let lo = 0
    let hi = event_number.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((event_number[mid] ?? 0) < result.eventNumber) lo = mid + 1
      else hi = mid
    }
    if (event_number[lo] === result.eventNumber) return // one result per event is enough
    event_number.splice(lo, 0, result.eventNumber)
    frame.splice(lo, 0, result.payload.frame)
    mean.splice(lo, 0, result.payload.mean)
  }
}
