import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixturePath, repoPath } from '../harness/fixtures.js'
import { type Child, spawnBeamloom, stopAll } from '../harness/processes.js'

const run = promisify(execFile)
// Debian's python3 with python3-silx and python3-h5py.
const PYTHON = '/usr/bin/python3'
const ROI_WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const ROI_REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`
const MAP_WORKER = `${repoPath('workers/examples/fluorescence-map.ts')}:FluorescenceMapWorker`
const MAP_REDUCER = `${repoPath('reducer/examples/fluorescence-map.ts')}:FluorescenceMapReducer`

/**
 * What silx makes of a file, as JSON: its default NXdata (`get_default`, which follows the
 * `default` attributes from the root), the validity of every NXdata group (`is_valid_nxdata`),
 * and the NeXus classes and the process metadata read with h5py.
 */
const SILX_READ = `
import sys, json, h5py, numpy as np
from silx.io.nxdata import get_default, is_valid_nxdata
def text(v): return v.decode() if isinstance(v, bytes) else str(v)
with h5py.File(sys.argv[1], 'r') as f:
    nx = get_default(f)
    nxdata = {}
    def visit(name, obj):
        if isinstance(obj, h5py.Group) and text(obj.attrs.get('NX_class', '')) == 'NXdata':
            nxdata[name] = bool(is_valid_nxdata(obj))
    f.visititems(visit)
    e = f['entry']
    p = e['beamloom']
    out = {
        'root_class': text(f.attrs['NX_class']), 'root_default': text(f.attrs['default']),
        'entry_class': text(e.attrs['NX_class']), 'entry_default': text(e.attrs['default']),
        'process_class': text(p.attrs['NX_class']),
        'nxdata_valid': nxdata,
        'default': None if nx is None else {
            'group': nx.group.name, 'signal': nx.signal_dataset_name, 'signal_name': nx.signal_name,
            'shape': list(nx.signal.shape), 'dtype': str(nx.signal.dtype),
            'values': np.where(np.isnan(nx.signal[()]), None, nx.signal[()]).tolist(),
            'axes': nx.axes_dataset_names, 'axes_names': nx.axes_names,
            'axes_values': [None if a is None else a[()].tolist() for a in nx.axes],
            'units': text(nx.signal.attrs.get('units', '')),
        },
        'status': p['status'].asstr()[()],
        'worker': [p['worker/module'].asstr()[()], p['worker/sha256'].asstr()[()]],
        'reducer': [p['reducer/module'].asstr()[()], p['reducer/sha256'].asstr()[()]],
        'sources': [text(s) for s in p['sources'][()]],
        'parameters': {k: text(v[()]) if v.dtype.kind in 'SO' else v[()].item() for k, v in p['parameters'].items()},
        'times': [e['start_time'].asstr()[()], e['end_time'].asstr()[()]],
    }
print(json.dumps(out))
`

// biome-ignore lint/suspicious/noExplicitAny: the JSON silx printed, checked field by field.
async function silxRead(file: string): Promise<any> {
  const { stdout } = await run(PYTHON, ['-c', SILX_READ, file])
  return JSON.parse(stdout)
}

async function sha256(spec: string): Promise<string> {
  const file = spec.slice(0, spec.lastIndexOf(':'))
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

let dir: string
const children: Child[] = []
beforeAll(async () => {
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
  dir = await mkdtemp(join(tmpdir(), 'beamloom-nexus-'))
}, 120_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

describe('NeXus files, validated with silx', () => {
  it('`replay --h5`: the ROI means are the default plot, against the event numbers', async () => {
    const params = join(dir, 'roi.json')
    await writeFile(params, JSON.stringify([{ name: 'roi', data: '0:2,8:10' }]))
    const file = join(dir, 'roi.h5')
    const out = join(dir, 'roi-publish.json')
    const recording = fixturePath('dump_xrd.cbors')
    const child = spawnBeamloom(
      'replay',
      ['replay', '-w', ROI_WORKER, '-r', ROI_REDUCER, '-f', recording, '-p', params].concat([
        '--h5',
        file,
        '--out',
        out,
        '--no-progress',
      ]),
      {},
    )
    children.push(child)
    expect(await child.exited, child.output()).toBe(0)
    const publish = JSON.parse(await readFile(out, 'utf8'))
    const nx = await silxRead(file)
    expect(nx).toMatchObject({
      root_class: 'NXroot',
      root_default: 'entry',
      entry_class: 'NXentry',
      entry_default: 'roi',
      process_class: 'NXprocess',
      nxdata_valid: { 'entry/roi': true },
      status: 'finished',
      sources: [`recording ${recording}`],
      parameters: { roi: '0:2,8:10' },
    })
    expect(nx.default).toEqual({
      group: '/entry/roi',
      signal: 'mean',
      signal_name: 'ROI mean [0:2,8:10]',
      shape: [9],
      dtype: 'float64',
      values: publish.roi.mean,
      axes: ['event_number'],
      axes_names: ['event number'],
      axes_values: [publish.roi.event_number],
      units: 'counts',
    })
    expect(nx.worker).toEqual([ROI_WORKER, await sha256(ROI_WORKER)])
    expect(nx.reducer).toEqual([ROI_REDUCER, await sha256(ROI_REDUCER)])
  }, 120_000)

  it('`up --h5`: the live fluorescence map against the motor grid, float64 throughout', async () => {
    const params = join(dir, 'map.json')
    await writeFile(params, JSON.stringify([{ name: 'motor_units', data: 'um' }]))
    const file = join(dir, 'map.h5')
    const out = join(dir, 'map-publish.json')
    const child = spawnBeamloom(
      'up',
      [
        'up',
        '--simulate',
        `contrast:contrast:capture=${fixturePath('contrast-dump.cbors')}`,
        '--simulate',
        `xspress3:xspress3:capture=${fixturePath('xspress3-dump.cbors')}`,
        '--frames',
        '20',
        '-w',
        MAP_WORKER,
        '-r',
        MAP_REDUCER,
        '-p',
        params,
        '--port',
        '0',
        '--reducer-port',
        '0',
        '--h5',
        file,
        '--out',
        out,
      ],
      {},
    )
    children.push(child)
    expect(await child.exited, child.output()).toBe(0)
    const publish = JSON.parse(await readFile(out, 'utf8'))
    const nx = await silxRead(file)
    expect(nx).toMatchObject({
      root_class: 'NXroot',
      entry_class: 'NXentry',
      entry_default: 'fluorescence',
      nxdata_valid: { 'entry/fluorescence': true },
      status: 'finished',
      parameters: { motor_units: 'um' },
    })
    // Every point of the 5×4 mesh was measured: whole counts, still float64 (a stable type).
    expect(nx.default).toMatchObject({
      group: '/entry/fluorescence',
      signal: 'map',
      shape: [5, 4],
      dtype: 'float64',
      values: publish.fluorescence.map,
      axes: ['sy', 'sx'],
      axes_values: [publish.fluorescence.sy, publish.fluorescence.sx],
      units: 'counts',
    })
    expect(nx.default.values.flat().every((v: unknown) => typeof v === 'number')).toBe(true)
    expect(nx.sources.sort()).toEqual([
      "stream contrast from ingester 'contrast-ingester'",
      "stream xspress3 from ingester 'xspress3-ingester'",
    ])
    expect(nx.worker).toEqual([MAP_WORKER, await sha256(MAP_WORKER)])
    expect(nx.reducer).toEqual([MAP_REDUCER, await sha256(MAP_REDUCER)])
    expect(Date.parse(nx.times[0])).toBeLessThanOrEqual(Date.parse(nx.times[1]))
  }, 120_000)
})
