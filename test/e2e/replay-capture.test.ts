import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCaptureFlag } from '../../cli/replay/read-capture.js'
import { runReplay } from '../../cli/replay/run-replay.js'
import { isBeamloomError, readRawCapture, readRecording } from '../../src/internal.js'
import { runDeviceScan } from '../harness/device-scan.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'
import { spawnBeamloom } from '../harness/processes.js'
import type { DeviceSummaries } from './devices/device-summary.js'

/**
 * `beamloom replay --capture <stream>:<protocol>:<file>`: a raw upstream capture replayed as
 * one stream, framed by the device's own upstream, alone or merged with recordings. Expected
 * figures come from the captures' bytes (without the parsers) and from the live path.
 */

const SUMMARY = repoPath('test/e2e/devices/device-summary.ts')
const analysis = {
  worker: `${SUMMARY}:DeviceSummaryWorker`,
  reducer: `${SUMMARY}:DeviceSummaryReducer`,
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-replay-capture-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function sumLe(part: Uint8Array, bytes: 2 | 4): number {
  const view = new DataView(part.buffer, part.byteOffset, part.byteLength)
  let sum = 0
  for (let i = 0; i + bytes <= part.byteLength; i += bytes) {
    sum += bytes === 2 ? view.getUint16(i, true) : view.getUint32(i, true)
  }
  return sum
}

const text = (part: Uint8Array | undefined) => new TextDecoder().decode(part)

/** Xspress3 spectra sums straight from the three-message capture. */
async function xspress3Sums(file: string): Promise<number[]> {
  const sums: number[] = []
  let spectraNext = false
  for await (const parts of readRawCapture(file)) {
    if (spectraNext) {
      sums.push(sumLe(parts[0] as Uint8Array, 4))
      spectraNext = false
    } else if (text(parts[0]).startsWith('{') && JSON.parse(text(parts[0])).htype === 'image') {
      spectraNext = true
    }
  }
  return sums
}

/** Channel currents of the AlbaEM capture's data messages, from their JSON. */
async function albaemCurrents(): Promise<number[][]> {
  const currents: number[][] = []
  for await (const parts of readRawCapture(fixturePath('albaem-dump.cbors'))) {
    const json = JSON.parse(text(parts[0])) as Record<string, unknown>
    if (json.message_type === 'data')
      currents.push([1, 2, 3, 4].map((c) => json[`channel${c}`] as number))
  }
  return currents
}

async function replayEvents(options: Omit<Parameters<typeof runReplay>[0], 'worker' | 'reducer'>) {
  const report = await runReplay({ ...analysis, ...options })
  expect(report.failures).toEqual([])
  return { report, events: (report.publish as { events: DeviceSummaries }).events }
}

describe('beamloom replay --capture', () => {
  it('xspress3-dump (three-message form) gives the same per-frame spectra as the live path', async () => {
    const expected = await xspress3Sums(fixturePath('xspress3-dump.cbors'))
    expect(expected).toHaveLength(20)
    const { events, report } = await replayEvents({
      files: [],
      captures: [parseCaptureFlag(`xsp3:xspress3:${fixturePath('xspress3-dump.cbors')}`)],
    })
    // header + 20 frames (each joined from three messages, as the live ingester does) + end
    expect(report.events).toBe(22)
    expect(events['0']?.xsp3?.kind).toBe('start')
    for (const [i, sum] of expected.entries()) {
      expect(events[String(i + 1)]?.xsp3?.kind).toBe('data')
      expect(events[String(i + 1)]?.xsp3?.sums.spectra).toBe(sum)
    }
    expect(events['21']?.xsp3?.kind).toBe('end')

    const live = await runDeviceScan({
      simulate: [
        { device: 'xspress3', stream: 'xsp3', capture: fixturePath('xspress3-dump.cbors') },
      ],
      frames: 20,
    })
    expect(events).toEqual(live.events)
  })

  it('albaem-dump from the command line: 6 events, the currents of the capture, publish written', async () => {
    const out = join(dir, 'albaem.json')
    const child = spawnBeamloom(
      'replay',
      [
        'replay',
        '-w',
        analysis.worker,
        '-r',
        analysis.reducer,
        '--capture',
        `em:albaem:${fixturePath('albaem-dump.cbors')}`,
        '--out',
        out,
        '--no-progress',
      ],
      {},
    )
    expect(await child.exited).toBe(0)
    expect(child.output()).toMatch(/replayed 6 events/)
    const { events } = JSON.parse(await readFile(out, 'utf8')) as { events: DeviceSummaries }
    const currents = await albaemCurrents()
    expect(currents).toHaveLength(4)
    expect(events['0']?.em?.kind).toBe('start')
    for (const [i, channels] of currents.entries()) {
      const frame = events[String(i + 1)]?.em
      expect(frame?.kind).toBe('data')
      for (const [c, current] of channels.entries()) {
        expect(frame?.sums[`channels.${c}.current`]).toBe(current)
      }
    }
    expect(events['5']?.em?.kind).toBe('end')
  })

  it('a capture mixed with a recording (dump_xrd): events line up by number; the shorter stream stops early', async () => {
    const xrdSums: (number | undefined)[] = []
    for await (const record of readRecording(fixturePath('dump_xrd.cbors'))) {
      const frames = record.streams.xrd?.frames ?? []
      xrdSums[record.eventNumber] =
        frames.length === 2 ? sumLe(frames[1] as Uint8Array, 2) : undefined
    }
    expect(xrdSums).toHaveLength(11)
    expect(xrdSums.filter((x) => x !== undefined)).toHaveLength(9)
    const currents = await albaemCurrents()
    const { events, report } = await replayEvents({
      files: [fixturePath('dump_xrd.cbors')],
      captures: [parseCaptureFlag(`em:albaem:${fixturePath('albaem-dump.cbors')}`)],
    })
    expect(report.events).toBe(11)
    for (let n = 0; n < 11; n++) {
      const event = events[String(n)]
      expect(event?.xrd?.protocol).toBe('stins')
      if (xrdSums[n] !== undefined) expect(event?.xrd?.sums.data).toBe(xrdSums[n])
      if (n >= 6) {
        expect(event?.em).toBeUndefined()
      } else if (n >= 1 && n <= 4) {
        expect(event?.em?.sums['channels.0.current']).toBe(currents[n - 1]?.[0])
      }
    }
    expect(events['0']?.em?.kind).toBe('start')
    expect(events['5']?.em?.kind).toBe('end')
    expect(events['10']?.xrd?.kind).toBe('end')
  })

  it('rejects an unknown protocol, a malformed flag, a device without raw captures, a missing or truncated file, clearly', async () => {
    const thrown = (f: () => unknown) => {
      try {
        f()
      } catch (err) {
        return err
      }
      return undefined
    }
    const unknown = thrown(() => parseCaptureFlag('em:albaemm:/tmp/x.cbors'))
    expect(isBeamloomError(unknown, 'CONFIG_INVALID')).toBe(true)
    expect((unknown as Error).message).toMatch(/unknown protocol 'albaemm' \(known: .*albaem/)
    const malformed = thrown(() => parseCaptureFlag('em-only-a-file.cbors'))
    expect((malformed as Error).message).toMatch(/expected <stream>:<protocol>:<file>/)
    await expect(
      runReplay({
        ...analysis,
        files: [],
        captures: [{ stream: 's', protocol: 'sardana', file: '/tmp/x' }],
      }),
    ).rejects.toThrow(/sardana sends to its ingester/)

    const missing = join(dir, 'missing.cbors')
    await expect(
      runReplay({
        ...analysis,
        files: [],
        captures: [{ stream: 'em', protocol: 'albaem', file: missing }],
      }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('cannot read'),
    })
    // A capture cut inside its second message: the read error, named with the offset.
    const truncated = join(dir, 'truncated.cbors')
    const whole = await readFile(fixturePath('albaem-dump.cbors'))
    await writeFile(truncated, whole.subarray(0, 300))
    await expect(
      runReplay({
        ...analysis,
        files: [],
        captures: [{ stream: 'em', protocol: 'albaem', file: truncated }],
      }),
    ).rejects.toMatchObject({ code: 'RECORDING_TRUNCATED' })
    const child = spawnBeamloom(
      'replay',
      [
        'replay',
        '-w',
        analysis.worker,
        '-r',
        analysis.reducer,
        '--capture',
        'em:nope:/tmp/x.cbors',
      ],
      {},
    )
    expect(await child.exited).toBe(2)
    expect(child.output()).toMatch(
      /error: --capture 'em:nope:\/tmp\/x.cbors': unknown protocol 'nope'/,
    )
  })
})
