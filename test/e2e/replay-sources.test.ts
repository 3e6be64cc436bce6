import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeMultiple, encode, type Tag } from 'cbor-x'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runReplay } from '../../cli/replay/run-replay.js'
import { isBeamloomError } from '../../src/internal.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'
import type { StreamView } from '../harness/frame-capture.js'
import { RAMP_FRAMES, RAMP_SHAPE, rampValue } from '../harness/source-classes.js'

const WORKER = `${repoPath('test/harness/frame-capture.ts')}:FrameWorker`
const REDUCER = `${repoPath('test/harness/frame-capture.ts')}:ByEventReducer`
const SOURCES = repoPath('test/harness/source-classes.ts')
const XRD = fixturePath('dump_xrd.cbors')

type Events = Record<string, Record<string, StreamView>[]>
const eventsOf = (publish: unknown) => (publish as { events: Events }).events

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-sources-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('replay --source (a source class, as Dranspose -s)', () => {
  it('replays the events its generator yields, values intact, the ends to every worker', async () => {
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [],
      source: `${SOURCES}:RampSource`,
      workers: 2,
    })
    expect(report.failures).toEqual([])
    expect(report.events).toBe(RAMP_FRAMES + 2)
    const events = eventsOf(report.publish)
    expect(events['0']).toEqual([
      { cam: { kind: 'start', filename: 'ramp.h5', msgNumber: 0 } },
      { cam: { kind: 'start', filename: 'ramp.h5', msgNumber: 0 } },
    ])
    for (let f = 0; f < RAMP_FRAMES; f++) {
      const [only, ...rest] = events[String(f + 1)] ?? []
      expect(rest).toEqual([])
      const pixels = RAMP_SHAPE[0] * RAMP_SHAPE[1]
      expect(only?.cam).toEqual({
        kind: 'data',
        msgNumber: f + 1,
        frame: f,
        shape: [...RAMP_SHAPE],
        dtype: 'uint16',
        compression: f % 2 === 0 ? 'bslz4' : 'none',
        values: Array.from({ length: pixels }, (_, i) => rampValue(f, i)),
      })
    }
    expect(events[String(RAMP_FRAMES + 1)]).toHaveLength(2)
  })

  it('merges its generators (sync and async) and recordings by event number', async () => {
    const report = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [XRD],
      source: `${SOURCES}:RampAndMotorSource`,
      workers: 1,
    })
    expect(report.failures).toEqual([])
    const events = eventsOf(report.publish)
    // dump_xrd has events 0..10; the source 0..6: the same numbers form one event.
    expect(report.events).toBe(11)
    expect(Object.keys(events['3']?.[0] ?? {}).sort()).toEqual(['cam', 'motor', 'xrd'])
    expect(events['3']?.[0]?.motor).toEqual({ kind: 'text', typ: 'text', text: ['{"x":1}'] })
    expect(Object.keys(events['8']?.[0] ?? {})).toEqual(['xrd'])
  })

  it('refuses a Python class with a clear error (the Python host will load those)', async () => {
    for (const spec of ['src.hdf5_sources:FluorescenceSource', 'sources/fluo.py:Fluo']) {
      const err = await runReplay({
        worker: WORKER,
        reducer: REDUCER,
        files: [],
        source: spec,
      }).catch((e: unknown) => e)
      expect(isBeamloomError(err, 'CONFIG_INVALID'), String(err)).toBe(true)
      expect((err as Error).message).toMatch(/Python/)
    }
  })

  it('names the source and the message when a generator yields something else, or throws', async () => {
    const bad = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [],
      source: `${SOURCES}:BadMessageSource`,
    }).catch((e: unknown) => e)
    expect(isBeamloomError(bad, 'PROTOCOL_INVALID'), String(bad)).toBe(true)
    expect((bad as Error).message).toMatch(/message 1 of source generator 0 .*eventNumber/)
    const thrown = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [],
      source: `${SOURCES}:ThrowingSource`,
    }).catch((e: unknown) => e)
    expect(isBeamloomError(thrown, 'ANALYSIS_FAILED'), String(thrown)).toBe(true)
    expect((thrown as Error).message).toMatch(
      /source generator 0 threw after 2 messages: the source ran dry/,
    )
  })
})

describe('replaying a recording whose event numbers do not increase', () => {
  it('replays it in file order with a warning, every event reaching the reducer', async () => {
    // dump_xrd with its images in reverse order (header first, series end last).
    const records: unknown[] = []
    decodeMultiple(await readFile(XRD), (item: unknown) => {
      records.push(item)
    })
    const [header, ...rest] = records
    const end = rest.pop()
    const shuffled = [header, ...rest.reverse(), end]
    const file = join(dir, 'reversed.cbors')
    await writeFile(file, Buffer.concat(shuffled.map((r) => encode(r as Tag))))
    expect((shuffled[1] as Tag).value[0]).toBe(9)

    const warnings: string[] = []
    const ordered = await runReplay({ worker: WORKER, reducer: REDUCER, files: [XRD], workers: 1 })
    const reversed = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [file],
      workers: 1,
      onWarning: (m) => warnings.push(m),
    })
    expect(reversed.failures).toEqual([])
    expect(reversed.events).toBe(11)
    expect(eventsOf(reversed.publish)).toEqual(eventsOf(ordered.publish))
    expect(warnings).toEqual([
      `${file}: event 8 comes after event 9; replaying in file order (further ones are not reported)`,
    ])
  })
})
