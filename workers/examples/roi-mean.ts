/**
 * Example worker: the mean of a region of interest (ROI) of each STINS image.
 *
 * Parameter `roi` is the region in numpy slice syntax, rows then columns: `0:2,8:10` is rows 0–1
 * and columns 8–9; `:,:` (the default) is the whole image. Parameter `stream` names the STINS
 * stream to read (default: the first STINS stream of the event).
 */
import {
  type EventData,
  type ParameterDescriptionInput,
  type Parameters,
  parseStins,
  type WorkerAnalysis,
} from '../../src/analysis.js'

/** One axis of a region: start inclusive, stop exclusive, already clipped to the axis length. */
interface Span {
  readonly start: number
  readonly stop: number
}

function parseBound(text: string, length: number, fallback: number): number {
  const t = text.trim()
  if (t === '') return fallback
  if (!/^-?\d+$/.test(t)) throw new Error(`'${text}' is not an integer`)
  const n = Number(t)
  return Math.min(Math.max(n < 0 ? length + n : n, 0), length)
}

function parseSpan(text: string, length: number): Span {
  const parts = text.split(':')
  if (parts.length !== 2) throw new Error(`'${text}' is not a start:stop slice`)
  return {
    start: parseBound(parts[0] ?? '', length, 0),
    stop: parseBound(parts[1] ?? '', length, length),
  }
}

/** Parse `rows,cols` numpy slices against an image shape. */
export function parseRoi(roi: string, rows: number, cols: number): { rows: Span; cols: Span } {
  const axes = roi.split(',')
  if (axes.length !== 2)
    throw new Error(`roi '${roi}' must be two slices, rows then columns, like 0:2,8:10`)
  return { rows: parseSpan(axes[0] ?? '', rows), cols: parseSpan(axes[1] ?? '', cols) }
}

/** What this worker sends to the reducer for each image. */
export interface RoiMeanResult {
  readonly frame: number
  readonly mean: number
  readonly pixels: number
}

export class RoiMeanWorker implements WorkerAnalysis {
  static describeParameters(): ParameterDescriptionInput[] {
    return [
      {
        name: 'roi',
        dtype: 'str',
        default: ':,:',
        description: 'region as numpy slices: rows,cols',
      },
      { name: 'stream', dtype: 'str', default: '', description: 'STINS stream (default: first)' },
    ]
  }

  processEvent(event: EventData, parameters: Parameters): RoiMeanResult | undefined {
    const wanted = String(parameters.stream?.value ?? '')
    const name = wanted || Object.keys(event.streams).find((s) => event.streams[s]?.typ === 'STINS')
    const stream = name === undefined ? undefined : event.streams[name]
    if (stream === undefined) return undefined
    const msg = parseStins(stream)
    if (msg.kind !== 'data') return undefined
    const [rows, cols] = msg.shape
    if (rows === undefined || cols === undefined || msg.shape.length !== 2) {
      throw new Error(`expected a 2-D image, got shape [${msg.shape.join(', ')}]`)
    }
    const roi = parseRoi(String(parameters.roi?.value ?? ':,:'), rows, cols)
    const data = msg.data
    let sum = 0
    for (let r = roi.rows.start; r < roi.rows.stop; r++) {
      for (let c = roi.cols.start; c < roi.cols.stop; c++) sum += Number(data[r * cols + c])
    }
    const pixels = (roi.rows.stop - roi.rows.start) * (roi.cols.stop - roi.cols.start)
    return { frame: msg.frame, mean: pixels > 0 ? sum / pixels : Number.NaN, pixels }
  }
}
