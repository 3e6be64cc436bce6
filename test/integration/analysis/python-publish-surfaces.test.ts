import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writePublishH5 } from '../../../reducer/hdf5-file/write-publish-h5.js'
import { h5Id } from '../../../reducer/hdf5-rest/h5-id.js'
import { registerHdf5Rest } from '../../../reducer/hdf5-rest/register-hdf5-rest.js'
import { PublishVersions } from '../../../reducer/updates/publish-versions.js'
import { publishOutline } from '../../../reducer/viewer/publish-outline.js'
import type { ReducerRunner, WorkerRunner } from '../../../src/analysis/analysis-runner.js'
import {
  createPythonReducerRunner,
  createPythonWorkerRunner,
  decodePayload,
  encodePayload,
  toJsonValue,
} from '../../../src/internal.js'
import { event, LIMITS, pyModule, textParameters } from './python-harness.js'

const run = promisify(execFile)
const P = textParameters({})
let worker: WorkerRunner
let reducer: ReducerRunner
let dir: string

async function reduce(events: number[]): Promise<void> {
  const out = await worker.processEvents(
    events.map((n) => event(n, {})),
    P,
  )
  await reducer.processResults(
    out.map((o, i) => {
      if (o.kind !== 'result') throw new Error(o.kind)
      return {
        eventNumber: events[i] as number,
        worker: 'w0',
        parametersHash: 'h',
        payload: o.payload,
      }
    }),
    P,
  )
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-py-publish-'))
  worker = await createPythonWorkerRunner(pyModule('payloads.py', 'PayloadWorker'), {
    limits: LIMITS,
  })
  reducer = await createPythonReducerRunner(pyModule('payloads.py', 'PayloadReducer'), {
    limits: LIMITS,
    publishMaxAgeMs: 0,
  })
  await worker.begin({ parameters: P, state: { name: 'w0', tags: ['generic'] } })
  await reducer.begin({ parameters: P, state: { name: 'reducer', tags: [] } })
  await reduce([1, 2])
})

afterAll(async () => {
  await Promise.all([worker.close(), reducer.close()])
  await rm(dir, { recursive: true, force: true })
})

// The publish of payloads.py's reducer holds `sum` (uint16, 3 x 4), `cube` (float32, 2 x 3 x 4),
// `labels` (numpy unicode strings) and `equal` (a list of booleans).
describe("a Python reducer's publish on every results surface, dtypes and shapes kept", () => {
  it('JSON and CBOR reads', () => {
    const publish = reducer.publish() as Record<string, unknown>
    expect(toJsonValue(publish.sum)).toEqual([
      [3, 5, 7, 9],
      [11, 13, 15, 17],
      [19, 21, 23, 25],
    ])
    expect(toJsonValue(publish.labels)).toEqual(['a', 'bc'])
    const viaCbor = decodePayload(encodePayload(publish)) as Record<string, unknown>
    expect(viaCbor.sum).toEqual(publish.sum)
    expect((viaCbor.cube as Float32Array[][])[1]?.[2]).toBeInstanceOf(Float32Array)
  })

  it('HDF5-REST datasets with the numpy type and the N-D shape', async () => {
    const app = Fastify()
    registerHdf5Rest(app, {
      get publish() {
        return reducer.publish()
      },
    })
    const get = async (url: string) => (await app.inject({ method: 'GET', url })).json()
    const sum = await get(`/datasets/${h5Id('datasets', ['sum'])}`)
    expect(sum.shape).toMatchObject({ class: 'H5S_SIMPLE', dims: [3, 4] })
    expect(sum.type).toMatchObject({ class: 'H5T_INTEGER', base: 'H5T_STD_U16LE' })
    const cube = await get(`/datasets/${h5Id('datasets', ['cube'])}`)
    expect(cube.shape.dims).toEqual([2, 3, 4])
    expect(cube.type).toMatchObject({ class: 'H5T_FLOAT', base: 'H5T_IEEE_F32LE' })
    const value = await get(`/datasets/${h5Id('datasets', ['sum'])}/value?select=[1:2,0:4]`)
    expect(value.value).toEqual([[11, 13, 15, 17]])
    await app.close()
  })

  it('HDF5 files (read back with h5py)', async () => {
    const path = join(dir, 'publish.h5')
    await writePublishH5(reducer.publish(), path)
    const { stdout } = await run('/usr/bin/python3', [
      '-c',
      'import h5py, json, sys; f = h5py.File(sys.argv[1])["entry"]; print(json.dumps([str(f["sum"].dtype), list(f["sum"].shape), str(f["cube"].dtype), list(f["cube"].shape), int(f["sum"][2, 3])]))',
      path,
    ])
    expect(JSON.parse(stdout)).toEqual(['uint16', [3, 4], 'float32', [2, 3, 4], 25])
  })

  it('viewer outline and change tracking (one publish object per scan, as a TypeScript reducer)', async () => {
    expect(publishOutline(reducer.publish())).toMatchObject({
      kind: 'group',
      children: { sum: { kind: 'array', shape: [3, 4] }, equal: { kind: 'list', length: 2 } },
    })
    const versions = new PublishVersions()
    const root = reducer.publish()
    versions.update(root, true)
    await reduce([3])
    expect(reducer.publish()).toBe(root)
    const change = versions.update(reducer.publish(), true)
    expect(change.changed).toEqual(expect.arrayContaining(['sum', 'equal']))
    expect(change.removed).toEqual([])
    expect((reducer.publish() as { equal: boolean[] }).equal).toEqual([true, true, true])
  })
})
