import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseH5Source } from '../../cli/replay/h5-source.js'
import { runReplay } from '../../cli/replay/run-replay.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'
import type { StreamView } from '../harness/frame-capture.js'
import { expectedFrame, type StackEntry, writeHdf5Stacks } from '../harness/hdf5-stacks.js'
import { spawnBeamloom } from '../harness/processes.js'

const run = promisify(execFile)
const WORKER = `${repoPath('test/harness/frame-capture.ts')}:FrameWorker`
const REDUCER = `${repoPath('test/harness/frame-capture.ts')}:ByEventReducer`

type Events = Record<string, Record<string, StreamView>[]>
const eventsOf = (publish: unknown) => (publish as { events: Events }).events

let dir: string
let manifest: StackEntry[]
const entry = (file: string, dataset: string): StackEntry => {
  const e = manifest.find((m) => m.file === file && m.dataset === dataset)
  if (e === undefined) throw new Error(`no ${file}:${dataset}`)
  return e
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-h5-'))
  manifest = await writeHdf5Stacks(dir)
  // The command runs the compiled CLI.
  await run(process.execPath, [repoPath('scripts/build-if-stale.mjs')])
}, 180_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The STINS series a stack should replay as: header, one image per frame, series end. */
function expectSeries(events: Events, stream: string, e: StackEntry, compression = 'none') {
  const at = (n: number) => (events[String(n)] ?? []).map((r) => r[stream])
  for (const start of at(0)) expect(start).toMatchObject({ kind: 'start', msgNumber: 0 })
  expect(at(0).length).toBeGreaterThan(0)
  for (let f = 0; f < e.frames; f++) {
    expect(at(f + 1), `frame ${f}`).toEqual([
      {
        kind: 'data',
        msgNumber: f + 1,
        frame: f,
        shape: [...e.shape],
        dtype: e.dtype,
        compression,
        values: expectedFrame(e, f),
      },
    ])
  }
  for (const end of at(e.frames + 1)) expect(end).toEqual({ kind: 'end', msgNumber: e.frames + 1 })
  expect(at(e.frames + 1).length).toBeGreaterThan(0)
}

describe('replay --from-h5: an HDF5 image stack as a STINS stream', () => {
  it('replays an EIGER master file (external links, bitshuffle-LZ4 chunks) frame by frame', async () => {
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [],
      h5: [parseH5Source(join(dir, 'scan_master.h5'))],
      workers: 2,
    })
    expect(report.failures).toEqual([])
    const e = entry('scan_master.h5', '/entry/data')
    expect(report.events).toBe(e.frames + 2)
    const events = eventsOf(report.publish)
    // The stream is named after the file (`scan_master.h5` → `scan`); both workers see the ends.
    expect(events['0']).toHaveLength(2)
    expect(events['0']?.[0]?.scan).toEqual({
      kind: 'start',
      filename: join(dir, 'scan_master.h5'),
      msgNumber: 0,
    })
    expectSeries(events, 'scan', e)
  })

  it('merges several stacks and a recording by event number, re-encoding as bitshuffle-LZ4 on request', async () => {
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [fixturePath('dump_xrd.cbors')],
      h5: [
        parseH5Source(`${join(dir, 'filters.h5')}:/lz4:stream=det1`),
        parseH5Source(`${join(dir, 'single.h5')}:/one:stream=det2:compression=bslz4`),
      ],
      workers: 1,
    })
    expect(report.failures).toEqual([])
    expect(report.events).toBe(11)
    const events = eventsOf(report.publish)
    expectSeries(events, 'det1', entry('filters.h5', '/lz4'))
    // single.h5 is gzip: its frames are decoded and encoded as bitshuffle-LZ4 by beamloom.
    expectSeries(events, 'det2', entry('single.h5', '/one'), 'bslz4')
    expect(Object.keys(events['3']?.[0] ?? {}).sort()).toEqual(['det1', 'det2', 'xrd'])
    expect(Object.keys(events['9']?.[0] ?? {})).toEqual(['xrd'])
  })

  it('follows a NeXus default chain; the command writes what the analysis saw', async () => {
    const out = join(dir, 'nexus.json')
    const done = spawnBeamloom(
      'replay',
      [
        'replay',
        '-w',
        WORKER,
        '-r',
        REDUCER,
        '--from-h5',
        `${join(dir, 'nexus.h5')}:stream=cam`,
        '--workers',
        '1',
        '--no-progress',
        '--out',
        out,
      ],
      {},
    )
    expect(await done.exited, done.output()).toBe(0)
    expect(done.output()).toMatch(/replayed 4 events/)
    expectSeries(JSON.parse(await readFile(out, 'utf8')).events, 'cam', entry('nexus.h5', ''))
  }, 120_000)

  it('exits 2 naming the file when it cannot read the stack', async () => {
    const child = spawnBeamloom(
      'replay',
      ['replay', '-w', WORKER, '-r', REDUCER, '--from-h5', `${join(dir, 'other.h5')}:/names`],
      {},
    )
    expect(await child.exited).toBe(2)
    expect(child.output()).toMatch(/other\.h5:\/names: not a numeric dataset/)
  }, 60_000)
})
