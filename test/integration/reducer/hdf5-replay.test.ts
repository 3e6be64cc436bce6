import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeMultiple, type Tag } from 'cbor-x'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fixturePath, repoPath } from '../../harness/fixtures.js'
import { HsdsClient } from '../../harness/hsds-client.js'
import { type Child, spawnBeamloom, stopAll } from '../../harness/processes.js'

const run = promisify(execFile)
const XRD = fixturePath('dump_xrd.cbors')
const WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

/**
 * Mean of rows 0–1, columns 8–9 of each image of the recording, by event, computed from its
 * bytes with cbor-x, JSON.parse and a Uint16Array (no beamloom code).
 */
async function independentMeans(): Promise<Map<number, number>> {
  const out = new Map<number, number>()
  const items: unknown[] = []
  decodeMultiple(await readFile(XRD), (item: unknown) => {
    items.push(item)
  })
  for (const item of items) {
    const [evn, streams] = (item as Tag).value as [number, Record<string, Tag>]
    const [, frames] = (streams.xrd as Tag).value as [string, Uint8Array[]]
    const header = JSON.parse(new TextDecoder().decode(frames[0]))
    if (header.htype !== 'image') continue
    const pixels = new Uint16Array(new Uint8Array(frames[1] as Uint8Array).buffer)
    const width = header.shape[1]
    let sum = 0
    for (let r = 0; r < 2; r++) for (let c = 8; c < 10; c++) sum += pixels[r * width + c] as number
    out.set(evn, sum / 4)
  }
  return out
}

let dir: string
const children: Child[] = []
beforeAll(async () => {
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-h5-'))
  await writeFile(join(dir, 'params.json'), JSON.stringify([{ name: 'roi', data: '0:2,8:10' }]))
}, 120_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

describe('beamloom replay --serve --h5', () => {
  it('serves HDF5-REST until interrupted and writes the HDF5 file', async () => {
    const file = join(dir, 'roi.h5')
    const child = spawnBeamloom(
      'replay',
      ['replay', '-w', WORKER, '-r', REDUCER, '-f', XRD, '-p', join(dir, 'params.json')].concat([
        '--serve',
        '0',
        '--h5',
        file,
        '--cors',
        'http://localhost:8080',
        '--no-progress',
      ]),
      {},
    )
    children.push(child)
    await vi.waitFor(() => expect(child.output()).toMatch(/until interrupted/), { timeout: 30_000 })
    const url = /serving results at (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())?.[1]
    expect(url, child.output()).toBeDefined()
    const expected = await independentMeans()
    const events = [...expected.keys()].sort((a, b) => a - b)

    const root = await new HsdsClient(url as string).root()
    const mean = await root.dataset('roi/mean')
    expect(mean.type.name).toBe('float64')
    const served = (await mean.read()).values as number[]
    expect(served).toHaveLength(9)
    for (const [i, m] of served.entries()) {
      expect(m).toBeCloseTo(expected.get(events[i] as number) as number, 12)
    }
    expect((await (await root.dataset('roi/event_number')).read()).values.map(Number)).toEqual(
      events,
    )
    expect(await (await root.get('roi')).attrs()).toEqual({
      roi: '0:2,8:10',
      NX_class: 'NXdata',
      signal: 'mean',
      axes: ['event_number'],
    })
    expect(await mean.attrs()).toEqual({ units: 'counts', long_name: 'ROI mean [0:2,8:10]' })
    // A page of the --cors origin (a served h5web) may read it; other origins may not.
    const from = async (origin: string) =>
      (await fetch(`${url}/groups/g-h5dict-2F/links`, { headers: { origin } })).headers.get(
        'access-control-allow-origin',
      )
    expect(await from('http://localhost:8080')).toBe('http://localhost:8080')
    expect(await from('http://localhost:9999')).toBeNull()
    // The JSON result API is served too.
    expect((await (await fetch(`${url}/api/v1/result/roi/frame`)).json()) as number[]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ])

    expect(existsSync(file)).toBe(true)
    const { stdout } = await run('/usr/bin/python3', [
      '-c',
      [
        'import sys, json, h5py',
        'f = h5py.File(sys.argv[1], "r")',
        'e = f["entry"]',
        'p = e["beamloom"]',
        'print(json.dumps({"mean": e["roi/mean"][()].tolist(), "events": e["roi/event_number"][()].tolist(),',
        ' "roi": p["parameters/roi"].asstr()[()], "version": f.attrs["creator_version"],',
        ' "status": p["status"].asstr()[()], "sources": [s.decode() for s in p["sources"][()]],',
        ' "worker": [p["worker/module"].asstr()[()], p["worker/sha256"].asstr()[()]],',
        ' "reducer": [p["reducer/module"].asstr()[()], p["reducer/sha256"].asstr()[()]],',
        ' "times": [e["start_time"].asstr()[()], e["end_time"].asstr()[()]]}))',
      ].join('\n'),
      file,
    ])
    const h5 = JSON.parse(stdout)
    expect(h5.events).toEqual(events)
    expect(h5.mean).toEqual(served)
    expect(h5.roi).toBe('0:2,8:10')
    expect(h5.version).toBe(JSON.parse(await readFile(repoPath('package.json'), 'utf8')).version)
    // How it was made: the modules and the hashes of their files, the recording, the end state.
    const sha256 = async (spec: string) =>
      createHash('sha256')
        .update(await readFile(spec.slice(0, spec.lastIndexOf(':'))))
        .digest('hex')
    expect(h5.worker).toEqual([WORKER, await sha256(WORKER)])
    expect(h5.reducer).toEqual([REDUCER, await sha256(REDUCER)])
    expect(h5.sources).toEqual([`recording ${XRD}`])
    expect(h5.status).toBe('finished')
    expect(Date.parse(h5.times[0])).toBeLessThanOrEqual(Date.parse(h5.times[1]))
    // The HDF5-REST root shows the same.
    expect((await (await root.dataset('beamloom/status')).read()).values).toEqual(['finished'])
    expect((await (await root.dataset('beamloom/worker/sha256')).read()).values).toEqual([
      await sha256(WORKER),
    ])

    child.process.kill('SIGINT')
    expect(await child.exited).toBe(0)
  }, 60_000)
})
