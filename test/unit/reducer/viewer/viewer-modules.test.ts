import { describe, expect, it } from 'vitest'
import { publishOutline } from '../../../../reducer/viewer/publish-outline.js'
import { repoPath } from '../../../harness/fixtures.js'

// The page's modules are plain browser ES modules (no types): load them as the page does.
type Fn = (...args: never[]) => unknown
const data = (await import(repoPath('reducer/viewer/static/data.js'))) as Record<string, Fn>
const nx = (await import(repoPath('reducer/viewer/static/nxdata.js'))) as Record<string, Fn>
const axes = (await import(repoPath('reducer/viewer/static/axes.js'))) as Record<string, Fn>
const status = (await import(repoPath('reducer/viewer/static/scan-status.js'))) as Record<
  string,
  Fn
>

const call = (f: Fn | undefined, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args)

describe('viewer: numbers out of decoded values', () => {
  it('turns typed arrays (bigint ones too) and lists with null into Float64Array', () => {
    expect(call(data.toNumbers, new BigInt64Array([1n, -2n]))).toEqual(new Float64Array([1, -2]))
    expect(call(data.toNumbers, [1, null, 3])).toEqual(new Float64Array([1, Number.NaN, 3]))
    expect(call(data.toNumbers, ['a'])).toBeUndefined()
    expect(call(data.toNumbers, [])).toBeUndefined()
  })

  it('turns equal rows into a row-major image, and refuses ragged ones', () => {
    expect(call(data.toImage, [new Uint16Array([1, 2]), [3, null]])).toEqual({
      rows: 2,
      cols: 2,
      data: new Float64Array([1, 2, 3, Number.NaN]),
    })
    expect(call(data.toImage, [[1, 2], [3]])).toBeUndefined()
    expect(call(data.finiteRange, new Float64Array([Number.NaN, -1, 0, 5]), true)).toEqual({
      min: 5,
      max: 5,
    })
  })
})

describe('viewer: what to draw for a path (NXdata)', () => {
  const outline = publishOutline({
    roi: { mean: [1, 2], event_number: [4, 5], frame: [0, 1], mean_attrs: { units: 'counts' } },
    roi_attrs: { NX_class: 'NXdata', signal: 'mean', axes: ['event_number'] },
    map: {
      grid: [[1, 2, 3]],
      x: [0, 1, 2],
      y: [7],
      x_attrs: { units: 'mm', long_name: 'sample x' },
    },
    map_attrs: { NX_class: 'NXdata', signal: 'grid', axes: ['y', 'x'] },
    bad: { s: [1, 2], a: [1, 2, 3] },
    bad_attrs: { NX_class: 'NXdata', signal: 's', axes: 'a' },
    trace: [1, 2, 3],
    note: 'text',
  })

  it('draws an NXdata signal against its axes with long names and units', () => {
    expect(call(nx.planFor, outline, 'roi')).toMatchObject({
      kind: 'nxdata',
      group: 'roi',
      signal: 'mean',
      axes: ['event_number'],
      labels: { signal: 'mean (counts)', axes: ['event_number'] },
    })
    // The signal itself is drawn as its group; another member plainly.
    expect(call(nx.planFor, outline, 'roi/mean')).toMatchObject({ kind: 'nxdata', group: 'roi' })
    expect(call(nx.planFor, outline, 'roi/frame')).toMatchObject({ kind: 'array', shape: [2] })
    expect(call(nx.planFor, outline, 'map')).toMatchObject({
      axes: ['y', 'x'],
      labels: { axes: ['y', 'sample x (mm)'], units: [undefined, 'mm'] },
    })
  })

  it('falls back to the index for an axis that does not fit, and plots plain arrays', () => {
    expect(call(nx.planFor, outline, 'bad')).toMatchObject({
      axes: [null],
      labels: { axes: ['index'] },
    })
    expect(call(nx.planFor, outline, 'trace')).toMatchObject({ kind: 'array', shape: [3] })
    expect(call(nx.planFor, outline, 'note')).toMatchObject({ kind: 'value' })
  })

  it("opens the entry's default first, else the first 1-D and 2-D arrays", () => {
    expect(call(nx.firstPaths, outline)).toEqual(['roi'])
    expect(call(nx.firstPaths, publishOutline({ t: [1], im: [[1]], g: { x: [2] } }))).toEqual([
      't',
      'im',
    ])
  })
})

describe('viewer: image axes and the header', () => {
  it('puts cell edges half a step beyond the axis values, or around the index', () => {
    expect(call(axes.cellEdges, [0, 1, 3], 3)).toEqual(new Float64Array([-0.5, 0.5, 2, 4]))
    expect(call(axes.cellEdges, undefined, 2)).toEqual(new Float64Array([-0.5, 0.5, 1.5]))
    expect(call(axes.logTicks, 0.5, 2000)).toEqual([1, 10, 100, 1000])
  })

  it('names the scan and its true end state with the reason', () => {
    expect(call(status.scanName, { scan_number: 12, scan_name: 'mesh', scan_id: 'x' })).toBe(
      'scan 12 · mesh',
    )
    expect(call(status.scanName, { scan_id: 'abc' })).toBe('scan abc')
    expect(call(status.stateText, { status: 'stopped', reason: 'stopped by operator' })).toBe(
      'stopped: stopped by operator',
    )
    expect(call(status.stateText, { status: 'finished' })).toBe('finished')
  })
})
