import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as pace } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { decode as decodeCbor } from 'cbor-x'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { h5Id } from '../../../reducer/hdf5-rest/h5-id.js'
import type { PublishUpdate } from '../../../reducer/updates/update-hub.js'
import { SseReader } from '../../harness/sse-reader.js'
import {
  expectNoErrors,
  FakeController,
  type FakeItem,
  FakeWorker,
  memoryPlane,
  Scope,
  startReducer,
} from './harness.js'

// The reducer service hosting a Python reducer (fixtures/py_reducers.py): what it publishes
// reaches every results surface — JSON, CBOR, HDF5-REST, the viewer's outline, the updates
// stream and the HDF5 file — with numpy's dtypes and shapes, and no read while the scan runs
// is more than 0.5 s behind the results it has reduced.

const run = promisify(execFile)
const MODULE = `${fileURLToPath(new URL('./fixtures/py_reducers.py', import.meta.url))}:SurfaceReducer`
const BATCHES = 40
const PER_BATCH = 5
const TOTAL = BATCHES * PER_BATCH
const scope = new Scope()
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-reducer-py-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})
afterEach(() => scope.cleanup())

/** The value result `event` carries, and so what it adds to each pixel of `image`. */
const added = (event: number) => (event % 7) + 1

async function get(url: string, accept = 'application/json'): Promise<Response> {
  const res = await fetch(url, { headers: { accept } })
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`)
  return res
}

describe('the reducer service with a Python reducer', () => {
  it('serves its publish on every surface with numpy dtypes and shapes, at most 0.5 s stale while the scan runs', async () => {
    const plane = await memoryPlane(scope)
    const { reducer, log } = await startReducer(scope, plane, {
      reducerModule: MODULE,
      updatesThrottleMs: 50,
      h5Dir: dir,
    })
    const url = reducer.url
    const controller = new FakeController(plane)
    const scan = await controller.start()
    await vi.waitFor(() => expect(reducer.status().scan?.scanId).toBe(scan))

    // A viewer: on each update it reads `count` again, as the viewer page refetches a path.
    const sse = new SseReader(`${url}/api/v1/updates`)
    scope.add({ close: async () => sse.close() })
    let shown = -1
    let reads = 0
    let watching = true
    const viewer = (async () => {
      for (let seen = 0; watching; ) {
        if (sse.updates<PublishUpdate>().length === seen) {
          await pace(10)
          continue
        }
        seen = sse.updates<PublishUpdate>().length
        shown = (await (await get(`${url}/api/v1/result/count`)).json()) as number
        reads++
      }
    })()

    // A poller reads `count` every few ms while results flow; each read is stamped when sent.
    const polls: { atMs: number; count: number }[] = []
    let flowing = true
    const poller = (async () => {
      while (flowing) {
        const atMs = Date.now()
        const count = (await (await get(`${url}/api/v1/result/count`)).json()) as number
        polls.push({ atMs, count })
        await pace(15)
      }
    })()
    // Both loops end before the reducer closes, whatever the test's outcome.
    scope.add({
      close: async () => {
        watching = false
        flowing = false
        await Promise.allSettled([viewer, poller])
      },
    })

    const worker = await FakeWorker.connect(scope, 'w1', reducer.endpoint)
    for (let b = 0; b < BATCHES; b++) {
      const items: FakeItem[] = Array.from({ length: PER_BATCH }, (_, i) => {
        const event = b * PER_BATCH + i
        return { event, slot: 0, value: added(event) }
      })
      await worker.send(scan, items)
      await pace(30) // results arrive over about two seconds, as from a live scan
    }
    await vi.waitFor(() => expect(reducer.status().scan?.reduced).toBe(TOTAL), { timeout: 30_000 })
    // While the scan still runs, the HTTP read and the updates stream catch up with the last
    // result without any further call into the reducer.
    await expect.poll(async () => (await get(`${url}/api/v1/result/count`)).json()).toBe(TOTAL)
    await expect.poll(() => shown, { timeout: 5_000 }).toBe(TOTAL)
    expect(reads).toBeGreaterThan(1)
    watching = false
    flowing = false
    await Promise.all([viewer, poller])

    // Staleness of each read: how long before it was sent the first result it does not show
    // had been reduced (the reducer stamps each result with time.time()).
    const reducedAtMs = (
      (await (await get(`${url}/api/v1/result/reduced_at`)).json()) as number[]
    ).map((s) => s * 1000)
    expect(reducedAtMs).toHaveLength(TOTAL)
    const stale = polls.map(({ atMs, count }) =>
      count >= TOTAL ? 0 : Math.max(0, atMs - (reducedAtMs[count] as number)),
    )
    expect(polls.length).toBeGreaterThan(20)
    const worst = Math.max(...stale)
    process.stderr.write(
      `python reducer publish: at most ${worst.toFixed(0)} ms behind the reduced results over ${polls.length} reads\n`,
    )
    expect(worst, `staleness of ${polls.length} reads (ms)`).toBeLessThanOrEqual(500)

    await controller.finish(scan)
    await reducer.scanDone(scan)
    await expect.poll(async () => (await get(`${url}/api/v1/result/finished`)).json()).toBe(true)

    // JSON: every pixel is the sum of the values sent.
    const sum = Array.from({ length: TOTAL }, (_, e) => added(e)).reduce((a, b) => a + b, 0)
    expect(await (await get(`${url}/api/v1/result/image`)).json()).toEqual(
      Array.from({ length: 3 }, () => Array(4).fill(sum)),
    )
    const frames = (await (await get(`${url}/api/v1/result/detector/frames`)).json()) as number[]
    expect([...frames].sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, e) => e))
    // CBOR: typed arrays of numpy's dtype, rows of the N-D arrays.
    const cbor = async (path: string) =>
      decodeCbor(
        new Uint8Array(
          await (await get(`${url}/api/v1/result/${path}`, 'application/cbor')).arrayBuffer(),
        ),
      )
    const image = (await cbor('image')) as Uint16Array[]
    expect(image).toHaveLength(3)
    expect(image[0]).toBeInstanceOf(Uint16Array)
    expect(Array.from(image[2] as Uint16Array)).toEqual([sum, sum, sum, sum])
    expect(((await cbor('cube')) as Float32Array[][])[1]?.[2]).toEqual(
      Float32Array.from([TOTAL, TOTAL, TOTAL, TOTAL]),
    )
    expect(await cbor('detector/frames')).toBeInstanceOf(BigInt64Array)

    // HDF5-REST: the numpy type and shape of each dataset, and a selection.
    const dataset = async (path: string[]) =>
      (await get(`${url}/datasets/${h5Id('datasets', path)}`)).json()
    expect(await dataset(['image'])).toMatchObject({
      shape: { class: 'H5S_SIMPLE', dims: [3, 4] },
      type: { class: 'H5T_INTEGER', base: 'H5T_STD_U16LE' },
    })
    expect(await dataset(['cube'])).toMatchObject({
      shape: { dims: [2, 3, 4] },
      type: { class: 'H5T_FLOAT', base: 'H5T_IEEE_F32LE' },
    })
    expect(await dataset(['detector', 'frames'])).toMatchObject({
      shape: { dims: [TOTAL] },
      type: { base: 'H5T_STD_I64LE' },
    })
    const selected = (await (
      await get(`${url}/datasets/${h5Id('datasets', ['image'])}/value?select=[1:2,0:2]`)
    ).json()) as { value: unknown }
    expect(selected.value).toEqual([[sum, sum]])

    // The viewer's outline.
    expect(await (await get(`${url}/api/v1/outline`)).json()).toMatchObject({
      kind: 'group',
      children: {
        image: { kind: 'array', shape: [3, 4] },
        cube: { kind: 'array', shape: [2, 3, 4] },
        detector: { kind: 'group', children: { frames: { kind: 'array', shape: [TOTAL] } } },
      },
    })

    // The HDF5 file written at the end of the scan (publish under the NeXus entry), read back
    // with h5py.
    const file = join(dir, `${scan}.h5`)
    await expect.poll(() => log.lines.some((l) => l.msg === 'HDF5 file written')).toBe(true)
    const { stdout } = await run('/usr/bin/python3', [
      '-c',
      'import h5py, json, sys; f = h5py.File(sys.argv[1])["entry"]; print(json.dumps([str(f["image"].dtype), list(f["image"].shape), int(f["image"][2, 3]), str(f["cube"].dtype), list(f["cube"].shape), str(f["detector/frames"].dtype), f["detector"].attrs["NX_class"]]))',
      file,
    ])
    expect(JSON.parse(stdout)).toEqual([
      'uint16',
      [3, 4],
      sum,
      'float32',
      [2, 3, 4],
      'int64',
      'NXdata',
    ])
    expectNoErrors(log)
  }, 120_000)
})
