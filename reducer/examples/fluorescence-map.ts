/**
 * Example reducer: builds the fluorescence map of a mesh scan from the results of
 * `FluorescenceMapWorker` (workers/examples/fluorescence-map.ts).
 *
 * The map's layout comes from the scan command Contrast announces in `started`
 * (`mesh sx -2 2 3 sy -2 2 4 0.1`: 4 columns along `sx`, the slow motor, 5 rows along `sy`, the
 * fast one); each point goes to the cell nearest its measured motor positions, so the map fills
 * in while the scan runs, whatever order results arrive in. Points that come before the scan
 * command wait for it. Without a mesh command (another scan type) the grid is made from the
 * sorted distinct positions seen so far (values closer than `tolerance` are one), rebuilt on
 * the timer and at the end; set `motors` to `slow,fast` to name the two motors then.
 *
 * Publishes `fluorescence.map` (rows: fast motor, columns: slow motor; NaN where nothing was
 * measured yet; units `counts`), the grid positions under each motor's name (units from
 * `motor_units` when set), and `unplaced` (points outside the grid or without positions).
 * `fluorescence` is a NeXus `NXdata` group: signal `map`, axes `[fast, slow]`, so viewers,
 * silx and h5web draw the map against the motor positions.
 */
import type {
  AnalysisInit,
  ParameterDescriptionInput,
  Parameters,
  ReducerAnalysis,
  ResultData,
} from '../../src/analysis.js'

/** One motor of a mesh: `intervals + 1` points from `start` to `end`. */
export interface MeshAxis {
  readonly motor: string
  readonly start: number
  readonly end: number
  readonly intervals: number
}

const NUMBER = String.raw`([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)`

/** `mesh sx -2 2 3 sy -2 2 4 0.1` → its slow and fast axes; `undefined` for other scans. */
export function parseMeshDescription(text: string): [MeshAxis, MeshAxis] | undefined {
  const axis = String.raw`(\S+)\s+${NUMBER}\s+${NUMBER}\s+(\d+)`
  const match = new RegExp(String.raw`^\s*mesh\s+${axis}\s+${axis}(?:\s|$)`).exec(text)
  if (match === null) return undefined
  const at = (i: number): MeshAxis => ({
    motor: match[i] as string,
    start: Number(match[i + 1]),
    end: Number(match[i + 2]),
    intervals: Number(match[i + 3]),
  })
  return [at(1), at(5)]
}

/** The grid positions of an axis. */
function gridOf(axis: MeshAxis): number[] {
  const n = axis.intervals
  return Array.from({ length: n + 1 }, (_, i) =>
    n === 0 ? axis.start : axis.start + ((axis.end - axis.start) * i) / n,
  )
}

/** Index of the grid position nearest `value`, or -1 when it is more than half a step away. */
function nearest(grid: readonly number[], value: number, tolerance: number): number {
  let best = -1
  let distance = Number.POSITIVE_INFINITY
  for (const [i, g] of grid.entries()) {
    const d = Math.abs(g - value)
    if (d < distance) {
      best = i
      distance = d
    }
  }
  const step = grid.length > 1 ? Math.abs((grid[1] ?? 0) - (grid[0] ?? 0)) : 0
  return distance <= Math.max(step / 2, tolerance) ? best : -1
}

/** Sorted distinct values; values closer than `tolerance` to the previous one merge (mean). */
export function distinctPositions(values: readonly number[], tolerance: number): number[] {
  const sorted = [...values].sort((a, b) => a - b)
  const clusters: number[][] = []
  for (const v of sorted) {
    const last = clusters.at(-1)
    if (last !== undefined && v - (last.at(-1) ?? v) <= tolerance) last.push(v)
    else clusters.push([v])
  }
  return clusters.map((c) => c.reduce((a, b) => a + b, 0) / c.length)
}

interface Point {
  readonly positions: Readonly<Record<string, number>>
  readonly counts: number
}

function isPoint(p: unknown): p is Point & { kind: 'point' } {
  return (
    typeof p === 'object' &&
    p !== null &&
    (p as { kind?: unknown }).kind === 'point' &&
    typeof (p as { counts?: unknown }).counts === 'number' &&
    typeof (p as { positions?: unknown }).positions === 'object'
  )
}

function isScan(p: unknown): p is { kind: 'scan'; description: string } {
  return (
    typeof p === 'object' &&
    p !== null &&
    (p as { kind?: unknown }).kind === 'scan' &&
    typeof (p as { description?: unknown }).description === 'string'
  )
}

/** The map's attributes: what it counts. */
const MAP_ATTRS: Record<string, string> = { units: 'counts', long_name: 'fluorescence (ROI sum)' }

export class FluorescenceMapReducer implements ReducerAnalysis {
  static describeParameters(): ParameterDescriptionInput[] {
    return [
      {
        name: 'motors',
        dtype: 'str',
        default: '',
        description: 'slow,fast motor names (default: from the mesh command)',
      },
      {
        name: 'motor_units',
        dtype: 'str',
        default: '',
        description:
          'units of the motor positions, as NeXus writes them (um, mm, deg); empty: none',
      },
      {
        name: 'tolerance',
        dtype: 'float',
        default: 0.1,
        description:
          'positions closer than this are one grid position (scans without a mesh command)',
      },
    ]
  }

  publish: {
    fluorescence: Record<string, number[] | number[][] | Record<string, string>>
    fluorescence_attrs: Record<string, string | string[]>
    points: number
    unplaced: number
  } = {
    fluorescence: { map: [], map_attrs: MAP_ATTRS },
    fluorescence_attrs: { NX_class: 'NXdata', signal: 'map' },
    points: 0,
    unplaced: 0,
  }

  /** Every point by event number (a broadcast or re-sent event counts once). */
  readonly #points = new Map<number, Point>()
  #axes: [MeshAxis, MeshAxis] | undefined
  #motors: [string, string] | undefined
  #grid: [number[], number[]] | undefined
  #map: number[][] = []
  readonly #tolerance: number
  readonly #motorUnits: string

  constructor({ parameters }: AnalysisInit) {
    this.#motorUnits = String(parameters.motor_units?.value ?? '').trim()
    const motors = String(parameters.motors?.value ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '')
    if (motors.length === 2) this.#motors = [motors[0] as string, motors[1] as string]
    this.#tolerance = Number(parameters.tolerance?.value ?? 0.1)
  }

  processResult(result: ResultData, _parameters: Parameters): void {
    const payload = result.payload
    if (isScan(payload)) {
      if (this.#axes !== undefined) return // the scan command reaches every worker
      const axes = parseMeshDescription(payload.description)
      this.publish.fluorescence_attrs.description = payload.description
      if (axes === undefined) return
      this.#axes = axes
      this.#motors ??= [axes[0].motor, axes[1].motor]
      this.#grid = [gridOf(axes[0]), gridOf(axes[1])]
      this.#render()
      return
    }
    if (!isPoint(payload)) throw new Error('result is neither {kind: scan} nor {kind: point}')
    if (this.#points.has(result.eventNumber)) return
    this.#points.set(result.eventNumber, payload)
    this.publish.points = this.#points.size
    if (this.#grid !== undefined) this.#place(payload)
  }

  timer(): number {
    if (this.#axes === undefined) this.#regrid()
    return 0.5
  }

  finish(): void {
    if (this.#axes === undefined) this.#regrid()
  }

  /** Without a mesh command: the grid from the distinct positions seen so far. */
  #regrid(): void {
    const motors = this.#motors ?? this.#guessMotors()
    if (motors === undefined) return
    this.#motors = motors
    const values = (m: string) =>
      [...this.#points.values()].map((p) => p.positions[m]).filter((v) => v !== undefined)
    this.#grid = [
      distinctPositions(values(motors[0]), this.#tolerance),
      distinctPositions(values(motors[1]), this.#tolerance),
    ]
    this.#render()
  }

  /** The first two motors of the first point that has two. */
  #guessMotors(): [string, string] | undefined {
    for (const p of this.#points.values()) {
      const names = Object.keys(p.positions)
      if (names.length >= 2) return [names[0] as string, names[1] as string]
    }
    return undefined
  }

  /** Rebuild the published map from every point (when the grid changed). */
  #render(): void {
    const grid = this.#grid
    const motors = this.#motors
    if (grid === undefined || motors === undefined) return
    const [slow, fast] = grid
    this.#map = fast.map(() => slow.map(() => Number.NaN))
    const axisAttrs = (motor: string): Record<string, string> =>
      this.#motorUnits === '' ? { long_name: motor } : { long_name: motor, units: this.#motorUnits }
    this.publish.fluorescence = {
      map: this.#map,
      map_attrs: MAP_ATTRS,
      [motors[0]]: slow,
      [`${motors[0]}_attrs`]: axisAttrs(motors[0]),
      [motors[1]]: fast,
      [`${motors[1]}_attrs`]: axisAttrs(motors[1]),
    }
    this.publish.fluorescence_attrs = {
      ...this.publish.fluorescence_attrs,
      NX_class: 'NXdata',
      signal: 'map',
      axes: [motors[1], motors[0]],
    }
    this.publish.unplaced = 0
    for (const p of this.#points.values()) this.#place(p)
  }

  /** Add one point to its cell of the map (or count it unplaced). */
  #place(p: Point): void {
    const grid = this.#grid
    const motors = this.#motors
    if (grid === undefined || motors === undefined) return
    const x = p.positions[motors[0]]
    const y = p.positions[motors[1]]
    const col = x === undefined ? -1 : nearest(grid[0], x, this.#tolerance)
    const row = y === undefined ? -1 : nearest(grid[1], y, this.#tolerance)
    const cells = this.#map[row]
    if (col < 0 || row < 0 || cells === undefined) {
      this.publish.unplaced++
      return
    }
    const before = cells[col] ?? Number.NaN
    cells[col] = Number.isNaN(before) ? p.counts : before + p.counts
  }
}
