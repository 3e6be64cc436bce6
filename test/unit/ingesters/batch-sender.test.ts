import { describe, expect, it } from 'vitest'
import { BatchSender, type DeliveryRef } from '../../../ingesters/base/batch-sender.js'
import type { Delivery } from '../../../ingesters/base/forward-plan.js'
import type { ScanId, WorkerName } from '../../../src/internal.js'
import { slot } from '../../../src/protocol/data-plane.js'
import { decodeEventBatch } from '../../../src/protocol/data-plane-event-batch.js'
import { frame, s, w } from './plan-fixtures.js'

const scan = 'scan-1' as ScanId

function fakeTarget(fail?: (worker: WorkerName) => boolean) {
  const sent: { worker: WorkerName; parts: readonly Uint8Array[] }[] = []
  return {
    sent,
    sendTo: async (worker: WorkerName, parts: readonly Uint8Array[]) => {
      if (fail?.(worker)) throw new Error(`worker '${worker}' is not connected`)
      sent.push({ worker, parts })
    },
  }
}

const d = (worker: string, event: number, stream = 0): Delivery => ({
  worker: w(worker),
  event,
  slot: slot(7),
  stream,
  typ: stream === 0 ? 'STINS' : 'PCAP',
  frames: frame(stream === 0 ? 'eiger' : 'pcap', event),
})

describe('BatchSender', () => {
  const streams = [
    { name: s('eiger'), typ: 'STINS' },
    { name: s('pcap'), typ: 'PCAP' },
  ]

  it('batches consecutive events per worker and keeps frames by reference', async () => {
    const target = fakeTarget()
    const failures: unknown[] = []
    const sender = new BatchSender({
      scan,
      streams,
      target,
      maxEvents: 3,
      maxBytes: 1 << 20,
      signal: new AbortController().signal,
      onFailed: (...args) => failures.push(args),
    })
    const ds = [d('a', 0), d('a', 0, 1), d('b', 0), d('a', 1), d('a', 2), d('a', 3)]
    sender.add(ds)
    await sender.settled()
    // a's batch filled at 3 events (0, 1, 2) and left at once.
    expect(target.sent.map((m) => m.worker)).toEqual(['a'])
    sender.flush()
    await sender.settled()
    expect(target.sent.map((m) => m.worker)).toEqual(['a', 'a', 'b'])
    const first = decodeEventBatch(target.sent[0]!.parts)
    expect(first.scan).toBe(scan)
    expect(first.events.map((e) => [e.eventNumber, e.slot, Object.keys(e.streams)])).toEqual([
      [0, 7, ['eiger', 'pcap']],
      [1, 7, ['eiger']],
      [2, 7, ['eiger']],
    ])
    expect(first.events[0]!.streams.pcap!.typ).toBe('PCAP')
    expect(target.sent[0]!.parts[1]).toBe(ds[0]!.frames[0])
    expect(failures).toEqual([])
    expect(sender.batchesSent).toBe(3)
  })

  it('reports what a failed batch carried', async () => {
    const target = fakeTarget((worker) => worker === 'gone')
    const failed: [WorkerName, readonly DeliveryRef[]][] = []
    const sender = new BatchSender({
      scan,
      streams,
      target,
      maxEvents: 64,
      maxBytes: 6,
      signal: new AbortController().signal,
      onFailed: (worker, refs) => failed.push([worker, refs]),
    })
    sender.add([d('gone', 4), d('gone', 5)])
    await sender.settled()
    expect(failed).toEqual([
      [
        w('gone'),
        [
          { event: 4, stream: 0 },
          { event: 5, stream: 0 },
        ],
      ],
    ])
  })
})
