/**
 * Example reducer: collects the ROI means of {@link RoiMeanWorker} by event number.
 *
 * `publish.roi.event_number` and `publish.roi.mean` are kept sorted by event number while
 * results arrive in any order, so a viewer can plot them at any time. `roi` is a NeXus
 * `NXdata` group: its signal `mean` (units `counts`) against the axis `event_number`, which
 * viewers, silx and h5web plot as they are and files keep as the entry's default plot.
 */
import type { AnalysisInit, Parameters, ReducerAnalysis, ResultData } from '../../src/analysis.js'

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
    roi: {
      event_number: number[]
      frame: number[]
      mean: number[]
      mean_attrs: { units: string; long_name: string }
      event_number_attrs: { long_name: string }
    }
    roi_attrs: { roi: string; NX_class: string; signal: string; axes: string[] }
  }

  constructor({ parameters }: AnalysisInit) {
    const roi = String(parameters.roi?.value ?? ':,:')
    this.publish = {
      roi: {
        event_number: [],
        frame: [],
        mean: [],
        mean_attrs: { units: 'counts', long_name: `ROI mean [${roi}]` },
        event_number_attrs: { long_name: 'event number' },
      },
      roi_attrs: { roi, NX_class: 'NXdata', signal: 'mean', axes: ['event_number'] },
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
