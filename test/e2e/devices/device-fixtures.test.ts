import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createRawCaptureWriter, readRecording } from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'
import { xspress3FrameSums } from './xspress3-capture.js'

/**
 * Each recording is played by its device's simulator into its real ingester, through two
 * workers (which parse with `parseStream`) to the reducer. Expected figures come from the
 * fixtures README or are computed here from the raw bytes, without the parsers.
 */

/** Sum of little-endian uint16 values of a raw part. */
function sumUint16(part: Uint8Array): number {
  const view = new DataView(part.buffer, part.byteOffset, part.byteLength)
  let sum = 0
  for (let i = 0; i + 2 <= part.byteLength; i += 2) sum += view.getUint16(i, true)
  return sum
}

describe('device recordings, simulator → ingester → workers → reducer', () => {
  it('eiger-small (Eiger Stream V1): header, the decoded prefix of 3 bs32-lz4 frames, end', async () => {
    const { events, progress } = await runDeviceScan({
      simulate: [
        { device: 'eiger-legacy', stream: 'eiger', capture: fixturePath('eiger-small.cbors') },
      ],
      frames: 3,
    })
    expect(progress).toMatchObject({ finished: true, total_events: 5, completed_events: 5 })
    expect(events['0']?.eiger).toMatchObject({ kind: 'start' })
    expect(events['0']?.eiger?.sums['config.nimages']).toBe(3)
    expect(events['0']?.eiger?.strings['config.description']).toBe('Dectris EIGER2 CdTe 9M')
    // The fixtures README: 123 whole blocks = 251,904 pixels decode; 2708 of them are
    // 0xFFFFFFFF in each frame, and the rest sum to 1185, 1070 and 1177.
    const saturated = 2708 * 0xffff_ffff
    const rest = [1185, 1070, 1177]
    for (const [i, sum] of rest.entries()) {
      const frame = events[String(i + 1)]?.eiger
      expect(frame?.kind).toBe('data')
      expect(frame?.sums.frame).toBe(i)
      expect(frame?.lengths['image.data']).toBe(251_904)
      expect(frame?.sums['image.data']).toBe(saturated + sum)
    }
    expect(events['4']?.eiger?.kind).toBe('end')
  })

  for (const [file, frames] of [
    ['xspress3-dump.cbors', 20],
    ['xspress3-multipart.cbors', 5],
  ] as const) {
    it(`${file} (Xspress3): every frame's [4, 4096] spectra sum as in the capture`, async () => {
      const expected = await xspress3FrameSums(fixturePath(file))
      expect(expected).toHaveLength(frames)
      const { events, progress } = await runDeviceScan({
        simulate: [{ device: 'xspress3', stream: 'xsp3', capture: fixturePath(file) }],
        frames,
      })
      expect(progress).toMatchObject({ finished: true, completed_events: frames + 2 })
      expect(events['0']?.xsp3?.kind).toBe('start')
      for (const [i, sum] of expected.entries()) {
        const frame = events[String(i + 1)]?.xsp3
        expect(frame?.kind).toBe('data')
        expect(frame?.lengths.spectra).toBe(4 * 4096)
        expect(frame?.sums.spectra).toBe(sum)
      }
      expect(events[String(frames + 1)]?.xsp3?.kind).toBe('end')
    })
  }

  it('dump_xrd (STINS): the recording replayed as a raw capture; every image sums as recorded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-stins-'))
    const capture = join(dir, 'xrd.raw.cbors')
    const writer = await createRawCaptureWriter(capture)
    const expected: number[] = []
    for await (const record of readRecording(fixturePath('dump_xrd.cbors'))) {
      const frames = record.streams.xrd?.frames ?? []
      await writer.write(frames)
      if (frames.length === 2) expected.push(sumUint16(frames[1] as Uint8Array))
    }
    await writer.close()
    expect(expected).toHaveLength(9)
    const { events } = await runDeviceScan({
      simulate: [{ device: 'stins', stream: 'xrd', capture }],
      frames: 9,
    })
    expect(events['0']?.xrd).toMatchObject({ kind: 'start' })
    expect(events['0']?.xrd?.strings.filename).toBe('output/xrd.h5')
    for (const [i, sum] of expected.entries()) {
      expect(events[String(i + 1)]?.xrd?.kind).toBe('data')
      expect(events[String(i + 1)]?.xrd?.sums.frame).toBe(i)
      expect(events[String(i + 1)]?.xrd?.lengths.data).toBe(100)
      expect(events[String(i + 1)]?.xrd?.sums.data).toBe(sum)
    }
    expect(events['10']?.xrd?.kind).toBe('end')
  })
})
