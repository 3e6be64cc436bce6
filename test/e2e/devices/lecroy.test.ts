import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createRawCaptureWriter,
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
} from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'

/**
 * LeCroy oscilloscope: trigger sequences played by the simulator into the real ingester (zmq
 * PUB → SUB, sequence start + traces per channel + sequence end joined into one event),
 * through two workers (parseStream) to the reducer. The waveforms and timestamps are made
 * here, so the expected figures are known without the parser.
 */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-lecroy-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sum = (values: ArrayLike<number>) => {
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i] as number
  return s
}

describe('LeCroy, simulator → ingester → workers → reducer', () => {
  it('a sequential-mode capture made here: each sequence is one event with every channel’s traces and timestamps', async () => {
    const sequences = 4
    const channels = [1, 3]
    const [triggers, samples] = [2, 50]
    const traces = (seq: number, ch: number) =>
      Float64Array.from({ length: triggers * samples }, (_, i) => Math.sin(i * 0.1 * ch) + seq)
    const timestamps = (seq: number) => [1_740_000_000 + seq, 1_740_000_000.5 + seq]
    const capture = join(dir, 'sequential.cbors')
    const writer = await createRawCaptureWriter(capture)
    let n = 0
    // A left-over of an earlier run, skipped by the ingester before the prepare.
    await writer.write(encodeLecroySeqEnd(99))
    await writer.write(encodeLecroyPrepare(n++))
    for (let seq = 0; seq < sequences; seq++) {
      await writer.write(
        encodeLecroySeqStart({ frame: n++, ntriggers: triggers, seqno: seq, channels }),
      )
      for (const ch of channels) {
        await writer.write(
          encodeLecroyTraces({
            channel: ch,
            ts: timestamps(seq)[0] as number,
            frame: n++,
            data: traces(seq, ch),
            shape: [triggers, samples],
            horizOffset: -1e-8,
            horizInterval: 1e-9,
            timestamps: timestamps(seq),
          }),
        )
      }
      await writer.write(encodeLecroySeqEnd(n++))
    }
    await writer.write(encodeLecroyStop(n, n))
    await writer.close()

    const { events, progress } = await runDeviceScan({
      simulate: [{ device: 'lecroy', stream: 'scope', capture }],
      frames: sequences,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: sequences + 2 })
    expect(events['0']?.scope).toMatchObject({ protocol: 'lecroy', kind: 'start' })
    for (let seq = 0; seq < sequences; seq++) {
      const event = events[String(seq + 1)]?.scope
      expect(event?.kind).toBe('data')
      expect(event?.sums.seqno).toBe(seq)
      expect(event?.sums.ntriggers).toBe(triggers)
      for (const [i, ch] of channels.entries()) {
        expect(event?.sums[`traces.${i}.channel`]).toBe(ch)
        expect(event?.lengths[`traces.${i}.data`]).toBe(triggers * samples)
        expect(event?.sums[`traces.${i}.data`]).toBe(sum(traces(seq, ch)))
        expect(event?.sums[`traces.${i}.timestamps`]).toBe(sum(timestamps(seq)))
        expect(event?.lengths[`traces.${i}.timestamps`]).toBe(triggers)
        expect(event?.sums[`traces.${i}.horizInterval`]).toBe(1e-9)
      }
    }
    expect(events[String(sequences + 1)]?.scope).toMatchObject({ kind: 'end' })
    expect(events[String(sequences + 1)]?.scope?.sums.frames).toBe(n)
  })

  it('a generated continuous-mode run: the one sequence start heads every event; waveforms as the simulator formula gives', async () => {
    // The simulator's formula (ingesters/lecroy/lecroy-simulator.ts), written out again.
    const voltage = (seq: number, t: number, ch: number, s: number) =>
      0.002 * ch +
      0.05 * ch * (1 + 0.1 * ((seq * 3 + t) % 5)) * Math.exp(-s / 200) * Math.sin(s / (8 + ch))
    const [sequences, triggers, samples] = [5, 4, 300]
    const { events, progress } = await runDeviceScan({
      simulate: [
        {
          device: 'lecroy',
          stream: 'scope',
          frames: sequences,
          options: {
            mode: 'continuous',
            channels: '2',
            triggers: String(triggers),
            samples: String(samples),
          },
        },
      ],
      frames: sequences,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: sequences + 2 })
    expect(events['0']?.scope?.kind).toBe('start')
    for (let seq = 0; seq < sequences; seq++) {
      const event = events[String(seq + 1)]?.scope
      expect(event?.kind).toBe('data')
      expect(event?.sums.ntriggers).toBe(-1)
      expect(event?.sums.seqno).toBe(0)
      for (const ch of [1, 2]) {
        let expected = 0
        for (let t = 0; t < triggers; t++) {
          for (let s = 0; s < samples; s++) expected += voltage(seq, t, ch, s)
        }
        expect(event?.sums[`traces.${ch - 1}.channel`]).toBe(ch)
        expect(event?.lengths[`traces.${ch - 1}.data`]).toBe(triggers * samples)
        expect(event?.sums[`traces.${ch - 1}.data`]).toBe(expected)
        expect(event?.lengths[`traces.${ch - 1}.timestamps`]).toBe(triggers)
      }
    }
    expect(events[String(sequences + 1)]?.scope?.kind).toBe('end')
  })
})
