import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ClientDataset, HsdsClient } from '../../harness/hsds-client.js'
import { FakeController, FakeWorker, memoryPlane, Scope, startReducer } from './harness.js'

const run = promisify(execFile)
const GRID = `${fileURLToPath(new URL('./fixtures/hdf5-reducers.ts', import.meta.url))}:GridReducer`

const scope = new Scope()
afterEach(() => scope.cleanup())
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-h5dir-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The grid the test expects after events `[0, n)` with value `e * 0.5`, computed here. */
function expectedGrid(n: number): number[] {
  const grid = new Array(16).fill(0)
  for (let e = 0; e < n; e++) grid[e % 16] += e * 0.5
  return grid
}

async function scan(options: Record<string, unknown> = {}) {
  const plane = await memoryPlane(scope)
  const { reducer, log } = await startReducer(scope, plane, { reducerModule: GRID, ...options })
  const controller = new FakeController(plane)
  const scanId = await controller.start()
  await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scanId))
  const worker = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
  const send = (from: number, to: number) =>
    worker.send(
      scanId,
      Array.from({ length: to - from }, (_, i) => ({
        event: from + i,
        slot: 0,
        value: (from + i) * 0.5,
      })),
    )
  return { reducer, log, controller, scanId, send }
}

describe('a live reducer read over HDF5-REST', () => {
  it('serves the map while it fills in, to a client written from the HSDS API', async () => {
    const { reducer, send } = await scan()
    const client = new HsdsClient(reducer.url)
    await send(0, 20)
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(20))
    const root = await client.root()
    // The root is the NeXus entry a file holds: publish, and how it is made beside it.
    expect((await root.keys()).sort()).toEqual(
      [
        'done',
        'hits',
        'map',
        'total',
        'title',
        'entry_identifier',
        'start_time',
        'program_name',
        'beamloom',
      ].sort(),
    )
    expect(await root.attrs()).toEqual({ NX_class: 'NXentry', default: 'map' })
    const status = await root.dataset('beamloom/status')
    expect((await status.read()).values).toEqual(['running'])
    expect((await (await root.dataset('beamloom/reducer/module')).read()).values).toEqual([GRID])
    expect((await (await root.dataset('beamloom/reducer/sha256')).read()).values).toEqual([
      createHash('sha256')
        .update(await readFile(GRID.split(':')[0] as string))
        .digest('hex'),
    ])
    const map = await root.get('map')
    expect(await (map as Awaited<ReturnType<typeof client.root>>).attrs()).toEqual({
      NX_class: 'NXdata',
      signal: 'grid',
    })
    const grid = await root.dataset('map/grid')
    expect(grid.type.name).toBe('float64')
    expect(grid.shape).toEqual([4, 4])
    expect((await grid.read()).values).toEqual(expectedGrid(20))
    // A selection: rows 1–2, every other column.
    const part = await grid.read('[1:3,0:4:2]')
    const g = expectedGrid(20)
    expect(part).toEqual({ dims: [2, 2], values: [g[4], g[6], g[8], g[10]] })
    const hits = await root.dataset('hits')
    expect(hits.type.name).toBe('uint32')
    expect((await hits.read()).values).toEqual(
      Array.from({ length: 16 }, (_, c) => (c < 4 ? 2 : 1)),
    )
    expect((await (await root.dataset('total')).read()).values).toEqual([
      expectedGrid(20).reduce((a, b) => a + b),
    ])
    expect((await (await root.dataset('done')).read()).values).toEqual([false])

    // More results arrive: the next read sees them.
    await send(20, 40)
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(40))
    const again = await ClientDataset.open(client, grid.id)
    expect((await again.read()).values).toEqual(expectedGrid(40))
    const events = await root.dataset('map/events')
    expect(events.shape).toEqual([40])
    expect((await events.read()).values.map(Number).sort((a, b) => a - b)).toEqual([
      ...Array(40).keys(),
    ])
  })
})

describe('HDF5 files from the reducer', () => {
  it('writes <scanId>.h5 at the end of the scan, equal to what HTTP served', async () => {
    const h5Dir = join(dir, 'end')
    const { reducer, controller, scanId, send } = await scan({ h5Dir })
    await send(0, 24)
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(24))
    await controller.finish(scanId)
    await reducer.scanDone(scanId)
    expect(await readdir(h5Dir)).toEqual([`${scanId}.h5`])
    const script = [
      'import sys, json, h5py',
      'f = h5py.File(sys.argv[1], "r")',
      'e = f["entry"]',
      'p = e["beamloom"]',
      'print(json.dumps({"grid": e["map/grid"][()].tolist(), "hits": e["hits"][()].tolist(), "done": int(e["done"][()]),',
      ' "events": e["map/events"][()].tolist(), "scan": e["entry_identifier"].asstr()[()], "nx": e["map"].attrs["NX_class"],',
      ' "params": "parameters" in p, "version": f.attrs["creator_version"], "status": p["status"].asstr()[()],',
      ' "end": e["end_time"].asstr()[()], "default": [f.attrs["default"], e.attrs["default"]]}))',
    ].join('\n')
    const { stdout } = await run('/usr/bin/python3', ['-c', script, join(h5Dir, `${scanId}.h5`)])
    const file = JSON.parse(stdout)
    const g = expectedGrid(24)
    expect(file.grid).toEqual([g.slice(0, 4), g.slice(4, 8), g.slice(8, 12), g.slice(12, 16)])
    expect(file.hits).toEqual(Array.from({ length: 16 }, (_, c) => (c < 8 ? 2 : 1)))
    expect(file.done).toBe(1)
    expect(file.events).toEqual([...Array(24).keys()])
    expect(file.scan).toBe(scanId)
    expect(file.nx).toBe('NXdata')
    expect(file.params).toBe(false)
    expect(file.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(file.status).toBe('finished')
    expect(Date.parse(file.end)).not.toBeNaN()
    expect(file.default).toEqual(['entry', 'map'])
    // silx finds the map as the file's default plot, and a valid NXdata.
    const { stdout: silx } = await run('/usr/bin/python3', [
      '-c',
      'import sys,h5py; from silx.io.nxdata import get_default, is_valid_nxdata; f=h5py.File(sys.argv[1]); nx=get_default(f); print(nx.group.name, nx.signal_dataset_name, is_valid_nxdata(f["entry/map"]))',
      join(h5Dir, `${scanId}.h5`),
    ])
    expect(silx.trim()).toBe('/entry/map grid True')
    // The HTTP view of the finished scan holds the same values.
    const root = await new HsdsClient(reducer.url).root()
    expect((await (await root.dataset('map/grid')).read()).values).toEqual(g)
  })

  it('POST /api/v1/h5 writes on request, behind the bearer token, inside the directory only', async () => {
    const h5Dir = join(dir, 'post')
    const { reducer, send } = await scan({ h5Dir, token: 's3cret' })
    await send(0, 5)
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(5))
    const post = (body: unknown, token?: string) =>
      fetch(`${reducer.url}/api/v1/h5`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      })
    expect((await post({ name: 'a' })).status).toBe(401)
    expect((await post({ name: 'a' }, 'wrong')).status).toBe(401)
    for (const name of ['../escape', '/tmp/x', 'a/b', '.hidden', 'a..b', '']) {
      const res = await post({ name }, 's3cret')
      expect(res.status, name).toBe(400)
    }
    const ok = await post({ name: 'snapshot' }, 's3cret')
    expect(ok.status).toBe(200)
    const report = (await ok.json()) as { path: string; datasets: number }
    expect(report.path).toBe(join(h5Dir, 'snapshot.h5'))
    const { stdout: names } = await run('/usr/bin/python3', [
      '-c',
      'import sys,h5py,json; out=[]; h5py.File(sys.argv[1]).visititems(lambda n,o: out.append(n) if isinstance(o,h5py.Dataset) else None); print(json.dumps(out))',
      report.path,
    ])
    const datasets = JSON.parse(names) as string[]
    expect(report.datasets).toBe(datasets.length)
    // publish's six, under the entry, beside the metadata.
    for (const d of ['map/grid', 'map/events', 'map/last', 'hits', 'total', 'done']) {
      expect(datasets).toContain(`entry/${d}`)
    }
    expect(datasets.filter((d) => !d.startsWith('entry/beamloom/')).sort()).toEqual(
      [
        'entry/map/grid',
        'entry/map/events',
        'entry/map/last',
        'entry/hits',
        'entry/total',
        'entry/done',
        'entry/title',
        'entry/entry_identifier',
        'entry/start_time',
        'entry/program_name',
      ].sort(),
    )
    const named = await post({}, 's3cret')
    expect(named.status).toBe(200)
    expect((await readdir(h5Dir)).sort()).toEqual(
      ['snapshot.h5', ((await named.json()) as { path: string }).path.split('/').pop()].sort(),
    )
    // Nothing escaped the directory.
    expect(existsSync(join(dir, 'escape.h5'))).toBe(false)
    expect(existsSync('/tmp/x.h5')).toBe(false)
    const { stdout } = await run('/usr/bin/python3', [
      '-c',
      'import sys,h5py; f=h5py.File(sys.argv[1])["entry"]; print(f["total"].dtype, repr(float(f["total"][()])), f["map/last"].asstr()[()])',
      report.path,
    ])
    const total = [0, 1, 2, 3, 4].reduce((a, e) => a + e * 0.5, 0)
    expect(stdout.trim()).toBe(`float64 ${total.toFixed(1)} event 4 from w1`)
  })

  it('POST /api/v1/h5 answers 409 when no directory is configured', async () => {
    const { reducer } = await scan()
    const res = await fetch(`${reducer.url}/api/v1/h5`, { method: 'POST' })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { message: string }).message).toMatch(/REDUCER_H5_DIR/)
  })
})
