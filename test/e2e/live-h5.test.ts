import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pull } from 'zeromq'
import { parseStinsFrames, type StinsMessage } from '../../src/internal.js'
import { repoPath } from '../harness/fixtures.js'
import type { StreamView } from '../harness/frame-capture.js'
import { expectedFrame, type StackEntry, writeHdf5Stacks } from '../harness/hdf5-stacks.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../harness/processes.js'

const run = promisify(execFile)
const WORKER = `${repoPath('test/harness/frame-capture.ts')}:FrameWorker`
const REDUCER = `${repoPath('test/harness/frame-capture.ts')}:ByEventReducer`

let dir: string
let master: StackEntry
const children: Child[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-live-h5-'))
  const manifest = await writeHdf5Stacks(dir)
  const found = manifest.find((m) => m.file === 'scan_master.h5')
  if (found === undefined) throw new Error('no scan_master.h5')
  master = found
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await stopAll(children)
  await rm(dir, { recursive: true, force: true })
})

describe('archived HDF5 data through a live pipeline', () => {
  it('`beamloom simulate stins --h5` sends the whole stack as a detector would', async () => {
    const port = await freePort()
    const child = spawnBeamloom(
      'simulate',
      [
        'simulate',
        'stins',
        '--bind',
        `tcp://127.0.0.1:${port}`,
        '--h5',
        join(dir, 'scan_master.h5'),
        '--bslz4',
        '--rate',
        '0',
      ],
      {},
    )
    children.push(child)
    const pull = new Pull()
    pull.connect(`tcp://127.0.0.1:${port}`)
    const got: StinsMessage[] = []
    try {
      while (got.length < master.frames + 2) got.push(parseStinsFrames(await pull.receive()))
    } finally {
      pull.close()
    }
    expect(await child.exited, child.output()).toBe(0)
    expect(got.map((m) => m.kind)).toEqual(['start', ...Array(master.frames).fill('data'), 'end'])
    for (let f = 0; f < master.frames; f++) {
      const m = got[f + 1]
      if (m?.kind !== 'data') throw new Error('not an image')
      expect(m.compression).toBe('bslz4')
      expect(Array.from(m.data as ArrayLike<number>, Number)).toEqual(expectedFrame(master, f))
    }
  }, 60_000)

  it('`beamloom up --simulate stins:cam:h5=…` runs a whole live scan over the stack', async () => {
    const out = join(dir, 'live.json')
    const child = spawnBeamloom(
      'up',
      [
        'up',
        '--simulate',
        `stins:cam:h5=${join(dir, 'scan_master.h5')}:/entry/data,frames=${master.frames}`,
        '-w',
        WORKER,
        '-r',
        REDUCER,
        '--port',
        '0',
        '--reducer-port',
        '0',
        '--out',
        out,
      ],
      {},
    )
    children.push(child)
    expect(await child.exited, child.output()).toBe(0)
    const events = JSON.parse(await readFile(out, 'utf8')).events as Record<
      string,
      Record<string, StreamView>[]
    >
    for (let f = 0; f < master.frames; f++) {
      const [only, ...others] = events[String(f + 1)] ?? []
      expect(others).toEqual([])
      expect(only?.cam).toMatchObject({
        kind: 'data',
        frame: f,
        shape: master.shape,
        values: expectedFrame(master, f),
      })
    }
    expect(events['0']?.[0]?.cam).toMatchObject({ kind: 'start' })
    expect(events[String(master.frames + 1)]?.[0]?.cam).toMatchObject({ kind: 'end' })
  }, 120_000)
})
