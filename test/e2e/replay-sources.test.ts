import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeMultiple, encode, type Tag } from 'cbor-x'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runReplay } from '../../cli/replay/run-replay.js'
import { isBeamloomError, openPythonSource } from '../../src/internal.js'
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

describe('replay --source with a Python class (Dranspose -s, unchanged)', () => {
  const PY_SOURCES = repoPath('test/harness/python_sources.py')
  const PARSED = `${repoPath('test/harness/frame-capture.ts')}:ParsedWorker`
  const POINTS = 6
  type Parsed = Record<string, Record<string, unknown>>

  /** The interpreter's source hosts still running as children of this process. */
  const sourceHosts = (): string[] => {
    let out = ''
    try {
      out = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    } catch {
      // ps exits 1 when no process matches
    }
    return out.split('\n').filter((line) => line.includes('beamloom.source'))
  }

  it('replays every stream its generators yield as the devices send them, values intact', async () => {
    const report = await runReplay({
      worker: PARSED,
      reducer: REDUCER,
      files: [],
      source: `${PY_SOURCES}:MeshSource`,
      workers: 2,
    })
    expect(report.failures).toEqual([])
    expect(report.events).toBe(POINTS + 2)
    const events = (report.publish as { events: Record<string, Parsed[]> }).events
    // The start and the end go to both workers.
    expect(events['0']).toHaveLength(2)
    const [start] = events['0'] ?? []
    expect(start?.cam).toMatchObject({ kind: 'start', filename: 'mesh.h5', msgNumber: 0 })
    expect(start?.contrast).toMatchObject({ kind: 'start', scannr: 7, path: '/data/mesh' })
    expect(start?.xspress3).toMatchObject({ kind: 'start', filename: 'x.h5' })
    expect(start?.pcap).toEqual({
      kind: 'text',
      text: [
        'arm_time: 2026-12-07T08:00:00.000000Z\nmissed: 0\nprocess: Scaled\nformat: ASCII\nfields:\n PCAP.BITS0 uint32 Value\n INENC1.VAL double Mean\n',
      ],
    })
    for (let f = 0; f < POINTS; f++) {
      const [only, ...rest] = events[String(f + 1)] ?? []
      expect(rest).toEqual([])
      expect(only?.cam).toMatchObject({
        kind: 'data',
        frame: f,
        msgNumber: f + 1,
        shape: [3, 4],
        compression: 'none',
        data: Array.from({ length: 12 }, (_, i) => i * 3 + 100 * f),
      })
      expect(only?.contrast).toMatchObject({
        kind: 'data',
        dt: 0.1 * f,
        positions: { sx: f % 3, sy: Math.floor(f / 3) + 0.25 },
      })
      expect(only?.xspress3).toMatchObject({
        kind: 'data',
        frame: f,
        shape: [2, 4],
        exptime: 0.1,
        spectra: Array.from({ length: 8 }, (_, i) => i + 0.5 * f),
      })
      const meta =
        (only?.xspress3 as { meta?: Record<string, { data: number[] }> } | undefined)?.meta ?? {}
      expect(Object.values(meta).map((m) => m.data)).toEqual([
        [10 + f, 10 + f],
        [20 + f, 20 + f],
      ])
      expect(only?.pcap).toEqual({ kind: 'text', text: [` ${f} ${(f * 0.5).toFixed(1)}\n`] })
    }
    const [end] = events[String(POINTS + 1)] ?? []
    expect(end?.cam).toMatchObject({ kind: 'end', msgNumber: POINTS + 1 })
    expect(end?.contrast).toMatchObject({ kind: 'end', reason: 'finished', scannr: 7 })
    expect(end?.xspress3).toMatchObject({ kind: 'end' })
    expect(end?.pcap).toEqual({ kind: 'text', text: ['END 0 Disarmed\n'] })
    await vi.waitFor(() => expect(sourceHosts()).toEqual([]))
  })

  it('takes a dotted module from the working directory, plain dicts, and merges with recordings', async () => {
    const printed: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (String(chunk).startsWith('counting')) printed.push(String(chunk))
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof process.stderr.write
    let report: Awaited<ReturnType<typeof runReplay>>
    try {
      report = await runReplay({
        worker: WORKER,
        reducer: REDUCER,
        files: [XRD],
        source: 'harness.python_sources:CountingSource',
        cwd: repoPath('test'),
        workers: 1,
      })
    } finally {
      process.stderr.write = write
    }
    expect(report.failures).toEqual([])
    expect(report.events).toBe(11)
    const events = eventsOf(report.publish)
    for (const n of [0, 1, 2]) {
      expect(events[String(n)]?.[0]?.n).toEqual({ kind: 'text', typ: 'text', text: [String(n)] })
      expect(Object.keys(events[String(n)]?.[0] ?? {}).sort()).toEqual(['n', 'xrd'])
    }
    expect(Object.keys(events['5']?.[0] ?? {})).toEqual(['xrd'])
    await vi.waitFor(() => expect(printed.join('')).toBe('counting 0\ncounting 1\ncounting 2\n'))
  })

  it('lets the host go when the reader stops early, even before reading a generator', async () => {
    const source = await openPythonSource(PY_SOURCES, 'MeshSource')
    expect(source.generators).toBe(4)
    const cam = source.messages(0)
    const first = await cam.next()
    expect(first.done === false && first.value.eventNumber).toBe(0)
    expect(sourceHosts()).toHaveLength(1)
    await cam.return()
    for (const i of [1, 2, 3]) await source.messages(i).return()
    await vi.waitFor(() => expect(sourceHosts()).toEqual([]))
  })

  it('names the class, the generator and the line when the source is wrong, and leaves no process', async () => {
    const fail = (source: string) =>
      runReplay({ worker: WORKER, reducer: REDUCER, files: [], source }).catch((e: unknown) => e)

    const bad = await fail(`${PY_SOURCES}:BadMessageSource`)
    expect(isBeamloomError(bad, 'ANALYSIS_FAILED'), String(bad)).toBe(true)
    expect((bad as Error).message).toMatch(
      /message 1 of source generator 0 is not an InternalWorkerMessage: it has no 'event_number'/,
    )
    const raised = await fail(`${PY_SOURCES}:RaisingSource`)
    expect(isBeamloomError(raised, 'ANALYSIS_FAILED'), String(raised)).toBe(true)
    expect((raised as Error).message).toMatch(
      /source generator 0 raised after 2 messages: RuntimeError: the source ran dry \(python_sources\.py:\d+\)/,
    )
    const notGenerators = await fail(`${PY_SOURCES}:NotGenerators`)
    expect(isBeamloomError(notGenerators, 'MODULE_INVALID'), String(notGenerators)).toBe(true)
    expect((notGenerators as Error).message).toMatch(
      /get_source_generators\(\)\[0\] is not a generator/,
    )
    const noClass = await fail(`${PY_SOURCES}:Nowhere`)
    expect(isBeamloomError(noClass, 'MODULE_INVALID'), String(noClass)).toBe(true)
    expect((noClass as Error).message).toMatch(/no class 'Nowhere' \(it defines: .*MeshSource/)
    const noFile = await fail(join(dir, 'missing.py:Source'))
    expect(isBeamloomError(noFile, 'MODULE_NOT_FOUND'), String(noFile)).toBe(true)
    const syntax = join(dir, 'broken.py')
    await writeFile(
      syntax,
      'class Source:\n    def get_source_generators(self)\n        return []\n',
    )
    const broken = await fail(`${syntax}:Source`)
    expect(isBeamloomError(broken, 'MODULE_INVALID'), String(broken)).toBe(true)
    expect((broken as Error).message).toMatch(/broken\.py:2: SyntaxError/)
    const noClassName = await fail(PY_SOURCES)
    expect(isBeamloomError(noClassName, 'CONFIG_INVALID'), String(noClassName)).toBe(true)
    await vi.waitFor(() => expect(sourceHosts()).toEqual([]))
  })
})
