/**
 * Example worker: X-ray fluorescence (XRF) mapping. Each event of a mesh scan carries one
 * Contrast `running` point (the motor positions) and one Xspress3 frame (the spectra); the
 * worker sums the counts of the spectra in a region of interest and sends them with the
 * positions. {@link FluorescenceMapReducer} (reducer/examples/fluorescence-map.ts) places them
 * in the map.
 *
 * Parameters:
 * - `channel`: the detector channel to sum; `-1` (the default) sums every channel.
 * - `roi`: the bins to sum, `start:stop` (stop exclusive, numpy style); `:` (the default) is
 *   the whole spectrum. An emission line, e.g. Fe Kα at 6.40 keV with 10 eV bins, is `620:660`.
 * - `contrast_stream`, `xspress3_stream`: the streams to read; default: the first stream of
 *   each protocol in the event.
 */
import {
  CONTRAST_TYP,
  type EventData,
  type ParameterDescriptionInput,
  type Parameters,
  parseContrast,
  parseXspress3,
  type WorkerAnalysis,
  XSPRESS3_TYP,
} from '../../src/analysis.js'

/** What the worker sends for the `started` event: the scan command, to lay out the map. */
export interface FluorescenceScanResult {
  readonly kind: 'scan'
  readonly scannr: number
  /** e.g. `mesh sx -2 2 3 sy -2 2 4 0.1`. */
  readonly description: string
}

/** What the worker sends for each scan point. */
export interface FluorescencePointResult {
  readonly kind: 'point'
  /** Xspress3 frame number. */
  readonly frame: number
  /** Motor positions of the Contrast point (empty when the event had none). */
  readonly positions: Readonly<Record<string, number>>
  /** Counts in the region of interest. */
  readonly counts: number
}

export type FluorescenceResult = FluorescenceScanResult | FluorescencePointResult

/** `start:stop` bins, clipped to `bins`. @throws Error for anything else. */
export function parseBins(roi: string, bins: number): { start: number; stop: number } {
  const match = /^\s*(-?\d*)\s*:\s*(-?\d*)\s*$/.exec(roi)
  if (match === null) throw new Error(`roi '${roi}' must be start:stop bins, like 620:660 or :`)
  const bound = (text: string, fallback: number) => {
    if (text === '') return fallback
    const n = Number(text)
    return Math.min(Math.max(n < 0 ? bins + n : n, 0), bins)
  }
  return { start: bound(match[1] ?? '', 0), stop: bound(match[2] ?? '', bins) }
}

function streamOf(event: EventData, wanted: string, typ: string): string | undefined {
  if (wanted !== '') return event.streams[wanted] === undefined ? undefined : wanted
  return Object.keys(event.streams).find((name) => event.streams[name]?.typ === typ)
}

export class FluorescenceMapWorker implements WorkerAnalysis {
  static describeParameters(): ParameterDescriptionInput[] {
    return [
      {
        name: 'channel',
        dtype: 'int',
        default: -1,
        description: 'detector channel to sum; -1 sums all channels',
      },
      {
        name: 'roi',
        dtype: 'str',
        default: ':',
        description: 'bins to sum, start:stop (stop exclusive); : is the whole spectrum',
      },
      {
        name: 'contrast_stream',
        dtype: 'str',
        default: '',
        description: 'Contrast stream (default: the first)',
      },
      {
        name: 'xspress3_stream',
        dtype: 'str',
        default: '',
        description: 'Xspress3 stream (default: the first)',
      },
    ]
  }

  processEvent(event: EventData, parameters: Parameters): FluorescenceResult | undefined {
    const contrastName = streamOf(
      event,
      String(parameters.contrast_stream?.value ?? ''),
      CONTRAST_TYP,
    )
    const xspressName = streamOf(
      event,
      String(parameters.xspress3_stream?.value ?? ''),
      XSPRESS3_TYP,
    )
    const contrast = contrastName === undefined ? undefined : event.streams[contrastName]
    const xspress = xspressName === undefined ? undefined : event.streams[xspressName]
    const point = contrast === undefined ? undefined : parseContrast(contrast)
    if (point?.kind === 'start') {
      return { kind: 'scan', scannr: point.scannr, description: point.description }
    }
    const frame = xspress === undefined ? undefined : parseXspress3(xspress)
    if (frame?.kind !== 'data') return undefined
    const [channels, bins] = frame.shape
    if (channels === undefined || bins === undefined || frame.shape.length !== 2) {
      throw new Error(`expected [channels, bins] spectra, got shape [${frame.shape.join(', ')}]`)
    }
    const channel = Number(parameters.channel?.value ?? -1)
    if (channel >= channels) {
      throw new Error(`channel ${channel} does not exist (the detector has ${channels})`)
    }
    const { start, stop } = parseBins(String(parameters.roi?.value ?? ':'), bins)
    const spectra = frame.spectra
    let counts = 0
    for (let c = channel < 0 ? 0 : channel; c < (channel < 0 ? channels : channel + 1); c++) {
      for (let b = start; b < stop; b++) counts += Number(spectra[c * bins + b])
    }
    const positions = point?.kind === 'data' ? point.positions : {}
    return { kind: 'point', frame: frame.frame, positions, counts }
  }
}
