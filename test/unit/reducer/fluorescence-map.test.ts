import { describe, expect, it } from 'vitest'
import {
  distinctPositions,
  FluorescenceMapReducer,
  parseMeshDescription,
} from '../../../reducer/examples/fluorescence-map.js'
import {
  CONTRAST_TYP,
  type EventData,
  type EventNumber,
  encodeContrastMessage,
  encodeXspress3Frame,
  type Parameters,
  parseParameterDescriptions,
  type ResultData,
  resolveParameters,
  toNumpyArray,
  type WorkerName,
  XSPRESS3_TYP,
} from '../../../src/internal.js'
import {
  FluorescenceMapWorker,
  type FluorescenceResult,
  parseBins,
} from '../../../workers/examples/fluorescence-map.js'

function parameters(
  module: { describeParameters(): unknown },
  values: Record<string, string> = {},
): Parameters {
  const descriptions = parseParameterDescriptions(module.describeParameters(), 'test')
  return resolveParameters(
    new Map(descriptions.map((d) => [d.name, d])),
    new Map(Object.entries(values).map(([k, v]) => [k, new TextEncoder().encode(v)])),
  )
}

function result(eventNumber: number, payload: FluorescenceResult): ResultData {
  return {
    eventNumber: eventNumber as EventNumber,
    worker: 'w' as WorkerName,
    parametersHash: '',
    payload,
  }
}

const point = (event: number, sx: number, sy: number, counts: number) =>
  result(event, { kind: 'point', frame: event - 1, positions: { sx, sy }, counts })

describe('fluorescence map: parseMeshDescription', () => {
  it('reads the slow and fast axes of a Contrast mesh command', () => {
    expect(parseMeshDescription('mesh sx -2 2 3 sy -2 2 4 0.1')).toEqual([
      { motor: 'sx', start: -2, end: 2, intervals: 3 },
      { motor: 'sy', start: -2, end: 2, intervals: 4 },
    ])
    expect(parseMeshDescription('mesh x 1e-3 .5 10 y -1.5 +1.5 2 0.5')?.[0]).toEqual({
      motor: 'x',
      start: 0.001,
      end: 0.5,
      intervals: 10,
    })
    expect(parseMeshDescription('ascan sx 0 1 10 0.1')).toBeUndefined()
    expect(parseMeshDescription('mesh sx -2 2')).toBeUndefined()
  })

  it('distinctPositions merges values closer than the tolerance', () => {
    expect(distinctPositions([1.02, -1, 0.98, -0.99, 0.01], 0.1)).toEqual([-0.995, 0.01, 1])
  })
})

describe('FluorescenceMapReducer', () => {
  const init = (values: Record<string, string> = {}) => ({
    parameters: parameters(FluorescenceMapReducer, values),
    context: {},
    state: { name: 'reducer', tags: [] },
  })

  it('places points by the mesh command, whatever order they come in, and once per event', () => {
    const reducer = new FluorescenceMapReducer(init())
    const p = init().parameters
    // Points before the scan command wait for it.
    reducer.processResult(point(6, 2.0004, 1.9996, 60), p)
    reducer.processResult(point(1, -1.9996, -2.0002, 10), p)
    expect(reducer.publish.fluorescence.map).toEqual([])
    const scan = result(0, { kind: 'scan', scannr: 2, description: 'mesh sx -2 2 1 sy -2 2 2 0.1' })
    reducer.processResult(scan, p)
    reducer.processResult(scan, p) // from the second worker
    reducer.processResult(point(3, -2, 2, 30), p)
    reducer.processResult(point(3, -2, 2, 30), p) // re-sent
    reducer.processResult(point(4, 2, -2, 40), p)
    reducer.processResult(point(9, 7, 0, 99), p) // off the grid
    expect(reducer.publish.fluorescence.map).toEqual([
      [10, 40],
      [Number.NaN, Number.NaN],
      [30, 60],
    ])
    expect(reducer.publish.fluorescence.sx).toEqual([-2, 2])
    expect(reducer.publish.fluorescence.sy).toEqual([-2, 0, 2])
    expect(reducer.publish.points).toBe(5)
    expect(reducer.publish.unplaced).toBe(1)
    expect(reducer.publish.fluorescence_attrs).toMatchObject({ signal: 'map', axes: ['sy', 'sx'] })
    // Labels for viewers and NeXus readers; no units for the motors unless told.
    expect(reducer.publish.fluorescence.map_attrs).toEqual({
      units: 'counts',
      long_name: 'fluorescence (ROI sum)',
    })
    expect(reducer.publish.fluorescence.sx_attrs).toEqual({ long_name: 'sx' })
  })

  it('gives the motor axes the units of motor_units', () => {
    const reducer = new FluorescenceMapReducer(init({ motor_units: 'um' }))
    const p = init().parameters
    reducer.processResult(
      result(0, { kind: 'scan', scannr: 2, description: 'mesh sx -2 2 1 sy -2 2 2 0.1' }),
      p,
    )
    expect(reducer.publish.fluorescence.sy_attrs).toEqual({ long_name: 'sy', units: 'um' })
    expect(reducer.publish.fluorescence.sx_attrs).toEqual({ long_name: 'sx', units: 'um' })
  })

  it('without a mesh command, grids the distinct positions at the timer and the end', () => {
    const reducer = new FluorescenceMapReducer(init({ motors: 'sx,sy' }))
    const p = init().parameters
    reducer.processResult(
      result(0, { kind: 'scan', scannr: 1, description: 'fermat sx sy 1 0.1' }),
      p,
    )
    reducer.processResult(point(1, 0, 5, 1), p)
    reducer.processResult(point(2, 1.01, 5.02, 2), p)
    reducer.processResult(point(3, 0.01, 6, 3), p)
    expect(reducer.timer()).toBe(0.5)
    expect(reducer.publish.fluorescence.map).toEqual([
      [1, 2],
      [3, Number.NaN],
    ])
    reducer.processResult(point(4, 1, 6, 4), p)
    reducer.finish()
    expect(reducer.publish.fluorescence.map).toEqual([
      [1, 2],
      [3, 4],
    ])
  })

  it('rejects a result that is not one of the worker', () => {
    const reducer = new FluorescenceMapReducer(init())
    expect(() =>
      reducer.processResult(
        result(1, { frame: 1 } as unknown as FluorescenceResult),
        init().parameters,
      ),
    ).toThrow(/neither/)
  })
})

describe('FluorescenceMapWorker', () => {
  const spectra = Uint32Array.from({ length: 2 * 8 }, (_, i) => i)
  const event = (contrast: Uint8Array[]): EventData => ({
    eventNumber: 1 as EventNumber,
    streams: {
      ctr: { typ: CONTRAST_TYP, frames: contrast },
      xsp: {
        typ: XSPRESS3_TYP,
        frames: encodeXspress3Frame({
          frame: 4,
          spectra,
          shape: [2, 8],
          meta: [toNumpyArray(new Float64Array([1, 1]))],
        }),
      },
    },
  })
  const data = encodeContrastMessage({ kind: 'data', dt: 1, positions: { sx: 1.5, sy: -0.5 } })

  it('sums all channels by default, or one channel and a bin range', () => {
    const worker = new FluorescenceMapWorker()
    expect(worker.processEvent(event(data), parameters(FluorescenceMapWorker))).toEqual({
      kind: 'point',
      frame: 4,
      positions: { sx: 1.5, sy: -0.5 },
      counts: (15 * 16) / 2,
    })
    const roi = parameters(FluorescenceMapWorker, { channel: '1', roi: '2:5' })
    expect(worker.processEvent(event(data), roi)).toMatchObject({ counts: 10 + 11 + 12 })
    const tooHigh = parameters(FluorescenceMapWorker, { channel: '2' })
    expect(() => worker.processEvent(event(data), tooHigh)).toThrow(/channel 2 does not exist/)
  })

  it('sends the scan command for the started event', () => {
    const started = encodeContrastMessage({
      kind: 'start',
      scannr: 3,
      path: '/d',
      description: 'mesh sx 0 1 1 sy 0 1 1 0.1',
    })
    expect(
      new FluorescenceMapWorker().processEvent(event(started), parameters(FluorescenceMapWorker)),
    ).toEqual({
      kind: 'scan',
      scannr: 3,
      description: 'mesh sx 0 1 1 sy 0 1 1 0.1',
    })
  })

  it('parseBins clips numpy-style ranges', () => {
    expect(parseBins(':', 10)).toEqual({ start: 0, stop: 10 })
    expect(parseBins('2:', 10)).toEqual({ start: 2, stop: 10 })
    expect(parseBins('-3:', 10)).toEqual({ start: 7, stop: 10 })
    expect(parseBins('5:99', 10)).toEqual({ start: 5, stop: 10 })
    expect(() => parseBins('1-4', 10)).toThrow(/start:stop/)
  })
})
