import { describe, expect, it } from 'vitest'
import { readRawCapture } from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'

/**
 * AlbaEM electrometer: the recording played by the simulator into the real ingester (zmq
 * PUB → SUB), through two workers (parseStream) to the reducer; and a generated series with
 * the other channel naming scheme. Expected currents come from the capture's JSON, parsed
 * here without the device parser, or from the simulator's formula written out again here.
 */

interface DataJson {
  readonly frame_number: number
  readonly timestamp: number
  readonly [channel: string]: unknown
}

/** The data messages of the capture, straight from its JSON. */
async function captureData(file: string): Promise<DataJson[]> {
  const data: DataJson[] = []
  for await (const parts of readRawCapture(file)) {
    const json = JSON.parse(new TextDecoder().decode(parts[0])) as { message_type: string }
    if (json.message_type === 'data') data.push(json as unknown as DataJson)
  }
  return data
}

describe('AlbaEM, simulator → ingester → workers → reducer', () => {
  it('albaem-dump: series-start, 4 data frames with the 4 channel currents of the capture, series-end', async () => {
    const expected = await captureData(fixturePath('albaem-dump.cbors'))
    expect(expected).toHaveLength(4)
    const { events, progress } = await runDeviceScan({
      simulate: [{ device: 'albaem', stream: 'em', capture: fixturePath('albaem-dump.cbors') }],
      frames: 4,
    })
    expect(progress).toMatchObject({ finished: true, total_events: 6, completed_events: 6 })
    expect(events['0']?.em).toMatchObject({ protocol: 'albaem', kind: 'start' })
    for (const [i, json] of expected.entries()) {
      const frame = events[String(i + 1)]?.em
      expect(frame?.kind).toBe('data')
      expect(frame?.sums.frameNumber).toBe(json.frame_number)
      expect(frame?.sums.timestamp).toBe(json.timestamp)
      expect(frame?.lengths.currents).toBe(4)
      for (let c = 0; c < 4; c++) {
        const current = json[`channel${c + 1}`] as number
        expect(frame?.strings[`channels.${c}.name`]).toBe(`channel${c + 1}`)
        expect(frame?.sums[`channels.${c}.number`]).toBe(c + 1)
        expect(frame?.sums[`channels.${c}.current`]).toBe(current)
      }
      const sum = [1, 2, 3, 4].reduce((s, c) => s + (json[`channel${c}`] as number), 0)
      expect(frame?.sums.currents).toBe(sum)
    }
    expect(events['5']?.em?.kind).toBe('end')
  })

  it('a generated series with channel_0 … channel_2 naming: currents as the simulator formula gives', async () => {
    // The simulator's formula (ingesters/albaem/albaem-simulator.ts), written out again.
    const current = (frame: number, c: number) =>
      (c % 2 === 0 ? -1 : 1) * (30 + 110 * c) * 1e-12 +
      2e-12 * Math.sin(frame / 7 + c) +
      1e-13 * (((frame * 31 + c * 17) % 11) - 5)
    const { events, progress } = await runDeviceScan({
      simulate: [
        {
          device: 'albaem',
          stream: 'em',
          frames: 6,
          options: { channels: '3', naming: 'channel_0' },
        },
      ],
      frames: 6,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 8 })
    expect(events['0']?.em?.kind).toBe('start')
    for (let frame = 0; frame < 6; frame++) {
      const summary = events[String(frame + 1)]?.em
      expect(summary?.kind).toBe('data')
      expect(summary?.sums.frameNumber).toBe(frame)
      expect(summary?.lengths.currents).toBe(3)
      for (let c = 0; c < 3; c++) {
        expect(summary?.strings[`channels.${c}.name`]).toBe(`channel_${c}`)
        expect(summary?.sums[`channels.${c}.number`]).toBe(c)
        expect(summary?.sums[`channels.${c}.current`]).toBe(current(frame, c))
      }
    }
    expect(events['7']?.em?.kind).toBe('end')
  })
})
