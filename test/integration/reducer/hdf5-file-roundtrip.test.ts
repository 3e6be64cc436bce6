import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import h5wasm from 'h5wasm/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePublishH5 } from '../../../reducer/hdf5-file/write-publish-h5.js'
import type { ScanMetadata } from '../../../reducer/nexus/scan-metadata.js'
import { makeParameter } from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'

const run = promisify(execFile)
// Debian's python3 with python3-h5py (not the pyenv python3 first on PATH).
const PYTHON = '/usr/bin/python3'

/** Dump every dataset and attribute of a file as JSON with h5py (NaN as the string 'nan'). */
const H5PY_DUMP = `
import sys, json, math, h5py, numpy as np
def plain(v):
    if isinstance(v, np.ndarray): return [plain(x) for x in v.tolist()] if v.ndim else plain(v.item())
    if isinstance(v, (list, tuple)): return [plain(x) for x in v]
    if isinstance(v, bytes): return v.decode('utf-8')
    if isinstance(v, float) and math.isnan(v): return 'nan'
    if isinstance(v, np.generic): return plain(v.item())
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53: return str(v)
    return v
out = {}
def visit(name, obj):
    entry = {'attrs': {k: plain(obj.attrs[k]) for k in obj.attrs}}
    if isinstance(obj, h5py.Dataset):
        entry['dtype'] = obj.dtype.str if obj.dtype.kind != 'O' else 'str'
        entry['shape'] = list(obj.shape)
        v = obj[()]
        if obj.dtype.kind == 'O' or h5py.check_string_dtype(obj.dtype):
            v = obj.asstr()[()]
        entry['value'] = plain(v) if not isinstance(v, str) else v
    out['/' + name] = entry
with h5py.File(sys.argv[1], 'r') as f:
    out['/'] = {'attrs': {k: plain(f.attrs[k]) for k in f.attrs}}
    f.visititems(visit)
print(json.dumps(out))
`

const image = Array.from({ length: 4 }, (_, r) => Array.from({ length: 5 }, (_, c) => r * 10 + c))
const publish = {
  _attrs: { NX_class: 'NXentry', title: 'scan 7' },
  live: 34,
  ratio: 0.25,
  hello: 'Wörld',
  ok: true,
  started: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  image,
  frame: [new Uint16Array([1, 2, 3]), new Uint16Array([4, 5, 6])],
  names: ['a', 'bé'],
  flags: [true, false, true],
  floats: [0.5, -1, Number.NaN],
  u8: new Uint8Array([0, 255]),
  i8: new Int8Array([-128, 127]),
  u16: new Uint16Array([0, 65535]),
  i16: new Int16Array([-32768, 32767]),
  u32: new Uint32Array([0, 4294967295]),
  i32: new Int32Array([-2147483648, 2147483647]),
  u64: new BigUint64Array([0n, 2n ** 53n + 1n]),
  i64: new BigInt64Array([-(2n ** 53n) - 1n, 7n]),
  f32: new Float32Array([0.5, -2.25]),
  f64: new Float64Array([Math.PI, 1e300]),
  empty: [],
  nothing: null,
  'spaced group': { 'space ds': 4, 'space ds_attrs': { bla: 5 } },
  'spaced group_attrs': { 'spaced attr': 3 },
  ragged: [[1, 2], [3]],
  oned: { data: new Float64Array(42).fill(1), motor: [0, 1, 2] },
  oned_attrs: {
    NX_class: 'NXdata',
    axes: ['motor'],
    signal: 'data',
    scale: 1.5,
    n: [1, 2],
    on: true,
  },
}

/** What every dataset must hold, written out here from `publish` by hand: dtype, shape, values. */
const EXPECTED: Record<string, [string, number[], unknown]> = {
  '/entry/live': ['<f8', [], 34],
  '/entry/ratio': ['<f8', [], 0.25],
  '/entry/hello': ['str', [], 'Wörld'],
  '/entry/ok': ['|u1', [], 1],
  '/entry/started': ['str', [], '2026-01-02T03:04:05.000Z'],
  '/entry/image': ['<f8', [4, 5], image],
  '/entry/frame': [
    '<u2',
    [2, 3],
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
  ],
  '/entry/names': ['str', [2], ['a', 'bé']],
  '/entry/flags': ['|u1', [3], [1, 0, 1]],
  '/entry/floats': ['<f8', [3], [0.5, -1, 'nan']],
  '/entry/u8': ['|u1', [2], [0, 255]],
  '/entry/i8': ['|i1', [2], [-128, 127]],
  '/entry/u16': ['<u2', [2], [0, 65535]],
  '/entry/i16': ['<i2', [2], [-32768, 32767]],
  '/entry/u32': ['<u4', [2], [0, 4294967295]],
  '/entry/i32': ['<i4', [2], [-2147483648, 2147483647]],
  '/entry/u64': ['<u8', [2], [0, '9007199254740993']],
  '/entry/i64': ['<i8', [2], ['-9007199254740993', 7]],
  '/entry/f32': ['<f4', [2], [0.5, -2.25]],
  '/entry/f64': ['<f8', [2], [Math.PI, 1e300]],
  '/entry/empty': ['<f8', [0], []],
  '/entry/spaced group/space ds': ['<f8', [], 4],
  '/entry/ragged/0': ['<f8', [2], [1, 2]],
  '/entry/ragged/1': ['<f8', [1], [3]],
  '/entry/oned/data': ['<f8', [42], Array(42).fill(1)],
  '/entry/oned/motor': ['<f8', [3], [0, 1, 2]],
  '/entry/beamloom/parameters/roi': ['str', [], '0:2,8:10'],
  '/entry/beamloom/parameters/gain': ['<f8', [], 2.5],
  '/entry/beamloom/parameters/n': ['<i8', [], 3],
  // How the result was made, beside publish (the NXentry's fields and the NXprocess).
  '/entry/title': ['str', [], 'scan 7'],
  '/entry/entry_identifier': ['str', [], 'scan-7'],
  '/entry/start_time': ['str', [], '2026-12-03T07:59:00.000Z'],
  '/entry/end_time': ['str', [], '2026-12-03T08:00:00.000Z'],
  '/entry/program_name': ['str', [], 'beamloom'],
  '/entry/beamloom/program': ['str', [], 'beamloom'],
  '/entry/beamloom/version': ['str', [], 'VERSION'],
  '/entry/beamloom/date': ['str', [], '2026-12-03T08:00:00.000Z'],
  '/entry/beamloom/status': ['str', [], 'stopped'],
  '/entry/beamloom/reason': ['str', [], 'stopped by operator'],
  '/entry/beamloom/scan_number': ['<i8', [], 7],
  '/entry/beamloom/events': ['<i8', [], 102],
  '/entry/beamloom/failed_events': ['<i8', [], 3],
  '/entry/beamloom/sources': ['str', [1], ["stream xrd from ingester 'xrd-ingester'"]],
  '/entry/beamloom/worker/module': ['str', [], 'workers/examples/roi-mean.ts:RoiMeanWorker'],
  '/entry/beamloom/worker/file_name': ['str', [], 'workers/examples/roi-mean.ts'],
  '/entry/beamloom/worker/type': ['str', [], 'text/x-typescript'],
  '/entry/beamloom/worker/description': ['str', [], 'worker module'],
  '/entry/beamloom/worker/sha256': ['str', [], 'a'.repeat(64)],
  '/entry/beamloom/reducer/module': ['str', [], 'reducer/examples/roi_mean.py:RoiMeanReducer'],
  '/entry/beamloom/reducer/file_name': ['str', [], 'reducer/examples/roi_mean.py'],
  '/entry/beamloom/reducer/type': ['str', [], 'text/x-python'],
  '/entry/beamloom/reducer/description': ['str', [], 'reducer module'],
  '/entry/beamloom/reducer/sha256': ['str', [], 'b'.repeat(64)],
  '/entry/beamloom/metadata/type': ['str', [], 'application/json'],
  '/entry/beamloom/metadata/description': ['str', [], 'how this result was made, as JSON'],
  '/entry/beamloom/metadata/data': ['str', [], 'JSON'],
}

let dir: string
let file: string
let version: string
const createdAt = new Date(Date.UTC(2026, 11, 3, 8, 0, 0))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-h5-'))
  file = join(dir, 'scan.h5')
  version = JSON.parse(await readFile(repoPath('package.json'), 'utf8')).version
  const parameters = {
    roi: makeParameter('roi', new TextEncoder().encode('0:2,8:10'), {
      name: 'roi',
      dtype: 'str',
      default: ':,:',
    }),
    gain: makeParameter('gain', new TextEncoder().encode('2.5'), {
      name: 'gain',
      dtype: 'float',
      default: 1,
    }),
    n: makeParameter('n', new TextEncoder().encode('3'), { name: 'n', dtype: 'int', default: 1 }),
  }
  const metadata: ScanMetadata = {
    scanId: 'scan-7',
    scanNumber: 7,
    status: 'stopped',
    reason: 'stopped by operator',
    startTime: '2026-12-03T07:59:00.000Z',
    endTime: '2026-12-03T08:00:00.000Z',
    workers: [{ spec: 'workers/examples/roi-mean.ts:RoiMeanWorker', sha256: 'a'.repeat(64) }],
    reducer: { spec: 'reducer/examples/roi_mean.py:RoiMeanReducer', sha256: 'b'.repeat(64) },
    parameters,
    sources: ["stream xrd from ingester 'xrd-ingester'"],
    events: 102,
    failedEvents: 3,
  }
  const report = await writePublishH5(publish, file, { metadata, createdAt })
  expect(report.skipped).toEqual([])
  expect(report.path).toBe(file)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('HDF5 files of publish', () => {
  it('read back with h5py, value by value, with every attribute', async () => {
    const { stdout } = await run(PYTHON, ['-c', H5PY_DUMP, file])
    const dump = JSON.parse(stdout) as Record<
      string,
      { attrs: Record<string, unknown>; dtype?: string; shape?: number[]; value?: unknown }
    >
    for (const [path, [dtype, shape, value]] of Object.entries(EXPECTED)) {
      const got = dump[path]
      expect(got, path).toBeDefined()
      expect(got?.dtype, path).toBe(dtype)
      expect(got?.shape, path).toEqual(shape)
      if (value === 'VERSION') expect(got?.value, path).toBe(version)
      else if (value !== 'JSON') expect(got?.value, path).toEqual(value)
    }
    // The metadata note holds all of it as JSON.
    expect(JSON.parse(dump['/entry/beamloom/metadata/data']?.value as string)).toEqual({
      program: 'beamloom',
      version,
      scan_id: 'scan-7',
      scan_number: 7,
      status: 'stopped',
      reason: 'stopped by operator',
      start_time: '2026-12-03T07:59:00.000Z',
      end_time: '2026-12-03T08:00:00.000Z',
      events: 102,
      failed_events: 3,
      workers: [{ module: 'workers/examples/roi-mean.ts:RoiMeanWorker', sha256: 'a'.repeat(64) }],
      reducer: { module: 'reducer/examples/roi_mean.py:RoiMeanReducer', sha256: 'b'.repeat(64) },
      parameters: { roi: '0:2,8:10', gain: 2.5, n: 3 },
      sources: ["stream xrd from ingester 'xrd-ingester'"],
    })
    // Nothing else was written (null left out, `_attrs` keys are attributes, not members).
    const datasets = Object.keys(dump).filter((k) => dump[k]?.dtype !== undefined)
    expect(datasets.sort()).toEqual(Object.keys(EXPECTED).sort())
    expect(dump['/']?.attrs).toEqual({
      NX_class: 'NXroot',
      default: 'entry',
      creator: 'beamloom',
      creator_version: version,
      file_name: 'scan.h5',
      file_time: '2026-12-03T08:00:00.000Z',
    })
    // The root's `_attrs` are the entry's; NX_class is NXentry; the default is the NXdata.
    expect(dump['/entry']?.attrs).toEqual({ NX_class: 'NXentry', title: 'scan 7', default: 'oned' })
    expect(dump['/entry/program_name']?.attrs).toEqual({ version })
    expect(dump['/entry/beamloom']?.attrs).toEqual({ NX_class: 'NXprocess' })
    expect(dump['/entry/beamloom/worker']?.attrs).toEqual({ NX_class: 'NXnote' })
    expect(dump['/entry/beamloom/reducer']?.attrs).toEqual({ NX_class: 'NXnote' })
    expect(dump['/entry/beamloom/metadata']?.attrs).toEqual({ NX_class: 'NXnote' })
    expect(dump['/entry/beamloom/parameters']?.attrs).toEqual({ NX_class: 'NXparameters' })
    expect(dump['/entry/spaced group']?.attrs).toEqual({ 'spaced attr': 3 })
    expect(dump['/entry/spaced group/space ds']?.attrs).toEqual({ bla: 5 })
    expect(dump['/entry/oned']?.attrs).toEqual({
      NX_class: 'NXdata',
      axes: ['motor'],
      signal: 'data',
      scale: 1.5,
      n: [1, 2],
      on: 1,
    })
  })

  it('read back with h5wasm', async () => {
    await h5wasm.ready
    const f = new h5wasm.File(file, 'r')
    try {
      expect((f.get('entry/frame') as InstanceType<typeof h5wasm.Dataset>).value).toEqual(
        new Uint16Array([1, 2, 3, 4, 5, 6]),
      )
      expect((f.get('entry/i64') as InstanceType<typeof h5wasm.Dataset>).value).toEqual(
        new BigInt64Array([-(2n ** 53n) - 1n, 7n]),
      )
      expect((f.get('entry/f32') as InstanceType<typeof h5wasm.Dataset>).value).toEqual(
        new Float32Array([0.5, -2.25]),
      )
      expect((f.get('entry/names') as InstanceType<typeof h5wasm.Dataset>).value).toEqual([
        'a',
        'bé',
      ])
      expect((f.get('entry/image') as InstanceType<typeof h5wasm.Dataset>).shape).toEqual([4, 5])
      expect(f.attrs.creator_version?.value).toBe(version)
      expect((f.get('entry/oned') as InstanceType<typeof h5wasm.Group>).attrs.axes?.value).toEqual([
        'motor',
      ])
      expect(f.keys()).toEqual(['entry'])
      expect((f.get('entry') as InstanceType<typeof h5wasm.Group>).keys().sort()).toEqual(
        [
          ...Object.keys(publish).filter((k) => !k.endsWith('_attrs') && k !== 'nothing'),
          'title',
          'entry_identifier',
          'start_time',
          'end_time',
          'program_name',
          'beamloom',
        ].sort(),
      )
    } finally {
      f.close()
    }
  })

  it('read back with h5dump', async () => {
    const { stdout: header } = await run('/usr/bin/h5dump', ['-H', file])
    expect(header).toMatch(
      /DATASET "frame" \{\s*DATATYPE\s+H5T_STD_U16LE\s*DATASPACE\s+SIMPLE \{ \( 2, 3 \) \/ \( 2, 3 \) \}/,
    )
    expect(header).toMatch(/DATASET "f32" \{\s*DATATYPE\s+H5T_IEEE_F32LE/)
    expect(header).toMatch(/ATTRIBUTE "creator_version"/)
    const { stdout: image } = await run('/usr/bin/h5dump', [
      '-d',
      '/entry/image',
      '-y',
      '-w',
      '0',
      file,
    ])
    const numbers = /DATA \{([^}]*)\}/
      .exec(image)?.[1]
      ?.split(',')
      .map((s) => Number(s.trim()))
    expect(numbers).toEqual(publish.image.flat())
  })

  it('rejects a file in a directory that does not exist, leaving nothing behind', async () => {
    await expect(writePublishH5(publish, join(dir, 'missing', 'x.h5'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    })
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
