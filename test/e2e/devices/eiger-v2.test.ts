import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSpotImages } from '../../../ingesters/stins/stins-images.js'
import {
  createRawCaptureWriter,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
  type NumericArray,
} from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'

/**
 * DECTRIS Stream V2: CBOR start/image/end played by the simulator into the real ingester (zmq
 * PUSH → PULL), through two workers (parseStream: tag 40 arrays, tag 56500 bslz4/lz4) to the
 * reducer. The images are made here (or by the simulator's seeded image generator, called
 * here again), so the expected sums are known without the parser.
 */

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-eiger-v2-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sum = (values: ArrayLike<number | bigint>) => {
  let s = 0
  for (let i = 0; i < values.length; i++) s += Number(values[i])
  return s
}

describe('Eiger Stream V2, simulator → ingester → workers → reducer', () => {
  it('a capture made here: two thresholds, every compression (none, bslz4, lz4), uint16 and uint32', async () => {
    const [rows, cols] = [24, 40]
    const image = (frame: number, threshold: number, bits: 16 | 32): NumericArray => {
      const n = rows * cols
      const data = bits === 16 ? new Uint16Array(n) : new Uint32Array(n)
      for (let i = 0; i < n; i++)
        data[i] = ((i * 7 + frame * 13) % 50) * threshold + (i === 5 ? 60_000 : 0)
      return data
    }
    const plan = [
      { compression: 'bslz4', bits: 32 },
      { compression: 'lz4', bits: 32 },
      { compression: 'none', bits: 16 },
      { compression: 'bslz4', bits: 16 },
      { compression: 'lz4', bits: 16 },
    ] as const
    const channels = ['threshold_1', 'threshold_2']
    const series = { seriesId: 7, seriesUniqueId: 'series-7' }
    const capture = join(dir, 'eiger-v2.cbors')
    const writer = await createRawCaptureWriter(capture)
    // The end of an earlier series: skipped before the start.
    await writer.write(encodeEigerV2End({ seriesId: 6, seriesUniqueId: 'series-6' }))
    await writer.write(
      encodeEigerV2Start({
        ...series,
        channels,
        countrateTable: Uint32Array.from({ length: 16 }, (_, i) => i * i),
        extra: { image_size_x: cols, image_size_y: rows, number_of_images: plan.length },
      }),
    )
    for (const [frame, { compression, bits }] of plan.entries()) {
      await writer.write(
        encodeEigerV2Image({
          ...series,
          imageId: frame,
          compression,
          realTime: [1, 1000],
          images: Object.fromEntries(
            channels.map((c, t) => [c, { shape: [rows, cols], data: image(frame, t + 1, bits) }]),
          ),
        }),
      )
    }
    await writer.write(encodeEigerV2End(series))
    await writer.close()

    const { events, progress } = await runDeviceScan({
      simulate: [{ device: 'eiger-v2', stream: 'eiger', capture }],
      frames: plan.length,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: plan.length + 2 })
    const start = events['0']?.eiger
    expect(start).toMatchObject({ protocol: 'eiger-v2', kind: 'start' })
    expect(start?.sums.seriesId).toBe(7)
    expect(start?.strings['channels.0']).toBe('threshold_1')
    expect(start?.sums.countrateTable).toBe(sum(Array.from({ length: 16 }, (_, i) => i * i)))
    for (const [frame, { compression, bits }] of plan.entries()) {
      const event = events[String(frame + 1)]?.eiger
      expect(event?.kind).toBe('data')
      expect(event?.sums.imageId).toBe(frame)
      expect(event?.sums.realTimeS).toBe(0.001)
      for (const [t, c] of channels.entries()) {
        expect(event?.strings[`images.${c}.compression`]).toBe(compression)
        expect(event?.sums[`images.${c}.dtype.itemSize`]).toBe(bits / 8)
        expect(event?.lengths[`images.${c}.data`]).toBe(rows * cols)
        expect(event?.sums[`images.${c}.data`]).toBe(sum(image(frame, t + 1, bits)))
      }
    }
    expect(events[String(plan.length + 1)]?.eiger?.kind).toBe('end')
  })

  it('a generated series: 3 thresholds, lz4, uint16, 20×36 images as the seeded generator makes them', async () => {
    const [frames, rows, cols] = [4, 20, 36]
    const { events, progress } = await runDeviceScan({
      simulate: [
        {
          device: 'eiger-v2',
          stream: 'eiger',
          frames,
          shape: [rows, cols],
          dtype: 'uint16',
          options: { thresholds: '3', codec: 'lz4', detail: 'all' },
        },
      ],
      frames,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: frames + 2 })
    const start = events['0']?.eiger
    expect(start?.kind).toBe('start')
    expect(start?.sums['header.image_size_x']).toBe(cols)
    expect(start?.sums['header.image_size_y']).toBe(rows)
    for (const t of [1, 2, 3]) {
      expect(start?.strings[`channels.${t - 1}`]).toBe(`threshold_${t}`)
      expect(start?.lengths[`pixelMask.threshold_${t}.data`]).toBe(rows * cols)
      expect(start?.sums[`pixelMask.threshold_${t}.data`]).toBe(1)
    }
    // The simulator's images: createSpotImages seeded per threshold, peak 200 / threshold.
    const generators = [1, 2, 3].map((t) =>
      createSpotImages({ shape: [rows, cols], dtype: 'uint16', seed: t, peak: 200 / t }),
    )
    for (let frame = 0; frame < frames; frame++) {
      const event = events[String(frame + 1)]?.eiger
      expect(event?.kind).toBe('data')
      for (const t of [1, 2, 3]) {
        const c = `threshold_${t}`
        expect(event?.strings[`images.${c}.compression`]).toBe('lz4')
        expect(event?.lengths[`images.${c}.data`]).toBe(rows * cols)
        expect(event?.sums[`images.${c}.data`]).toBe(sum(generators[t - 1]!(frame)))
      }
    }
    expect(events[String(frames + 1)]?.eiger?.kind).toBe('end')
  })
})
