import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPcapZmqSimulator } from '../../../ingesters/pcap/pcap-zmq-simulator.js'
import {
  createPcapZmqUpstreamFactory,
  parsePcapZmqUrl,
} from '../../../ingesters/pcap/pcap-zmq-upstream.js'
import { createRawCaptureWriter, PCAP_TYP } from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

/**
 * The PandABox zmq ingester (SUB of JSON envelopes) against its simulator replaying a
 * hand-made capture: stale messages before series-start are skipped, batches become one
 * event per row, malformed messages are skipped and counted, series-end ends the series.
 */

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple
const json = (value: unknown) => [new TextEncoder().encode(JSON.stringify(value))]
const base = { version: 1 }

let rig: Rig
afterEach(async () => {
  await rig.close()
})

describe('PandABox zmq ingester', () => {
  it('splits batches into rows, skips what precedes series-start, and counts malformed messages', async () => {
    rig = new Rig()
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-pcap-zmq-'))
    rig.own(() => rm(dir, { recursive: true, force: true }), undefined)
    const capture = join(dir, 'pcap.cbors')
    const writer = await createRawCaptureWriter(capture)
    const messages = [
      json({ ...base, message_id: 9, message_type: 'data', frame_number: 40, energy: [1, 2] }),
      json({
        ...base,
        message_id: 1,
        message_type: 'series-start',
        arm_time: '2026-01-01T00:00:00Z',
      }),
      json({
        ...base,
        message_id: 2,
        message_type: 'data',
        frame_number: 0,
        energy: [10, 11, 12],
        i0: [5, 6, 7],
        tag: 'x',
      }),
      [new TextEncoder().encode('{"message_id": 3, "message_type": "data", ')],
      json({
        ...base,
        message_id: 4,
        message_type: 'data',
        frame_number: 3,
        energy: [1, 2],
        i0: [1],
      }),
      [
        ...json({ ...base, message_id: 5, message_type: 'data', frame_number: 3 }),
        new Uint8Array(4),
      ],
      json({
        ...base,
        message_id: 6,
        message_type: 'data',
        frame_number: 3,
        energy: [13, 14],
        i0: [8, 9],
      }),
      json({ ...base, message_id: 7, message_type: 'series-end' }),
    ]
    for (const m of messages) await writer.write(m)
    await writer.close()

    const plane = await rig.plane()
    const sim = createPcapZmqSimulator({ bind: 'tcp://127.0.0.1:*', frames: 0, rateHz: 0, capture })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    const ingester = await rig.deviceIngester(
      plane,
      createPcapZmqUpstreamFactory(parsePcapZmqUrl(sim.endpoint)),
      { streams: ['pcap'] },
    )
    const a = await rig.worker(ingester.endpoint, 'a')
    const scanId = await startScan(plane, ['pcap'], 7)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, {
      released: [0, 7],
      routes: { pcap: [r(0, 7, ['a'])] },
      workerSlots: { a: 0 },
    })
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3, 4, 5, 6]), { timeout: 10_000 })
    const got = a.events().map((e) => {
      expect(e.streams.pcap?.typ).toBe(PCAP_TYP)
      expect(e.streams.pcap?.frames).toHaveLength(1)
      return JSON.parse(new TextDecoder().decode(e.streams.pcap?.frames[0])) as Record<
        string,
        unknown
      >
    })
    expect(got[0]).toMatchObject({ message_type: 'series-start' })
    expect(got.slice(1, 6)).toEqual([
      {
        ...base,
        message_id: 2,
        message_type: 'data',
        frame_number: 0,
        energy: 10,
        i0: 5,
        tag: 'x',
      },
      {
        ...base,
        message_id: 2,
        message_type: 'data',
        frame_number: 1,
        energy: 11,
        i0: 6,
        tag: 'x',
      },
      {
        ...base,
        message_id: 2,
        message_type: 'data',
        frame_number: 2,
        energy: 12,
        i0: 7,
        tag: 'x',
      },
      { ...base, message_id: 6, message_type: 'data', frame_number: 3, energy: 13, i0: 8 },
      { ...base, message_id: 6, message_type: 'data', frame_number: 4, energy: 14, i0: 9 },
    ])
    expect(got[6]).toMatchObject({ message_type: 'series-end' })
    expect(ingester.stats()?.streams.pcap).toMatchObject({ invalid: 3, missing: 0, errors: 0 })
    // Each dropped message is a warning, locally and in the shared log stream.
    await expect.poll(async () => (await logMessages(plane)).length).toBe(3)
    const logs = await logMessages(plane)
    expect(logs[0]).toBe('invalid upstream message dropped: PandABox zmq message is not UTF-8 JSON')
    for (const line of logs) expect(line).toMatch(/^invalid upstream message dropped: PandABox zmq/)
    expect(rig.log.unexpected().map((l) => l.message)).toEqual(logs)
  })
})
