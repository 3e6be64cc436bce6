import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUp } from '../../../cli/up/start-up.js'
import { parseUpSpec } from '../../../cli/up/up-spec.js'
import {
  createRawCaptureWriter,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
  encodeBitshuffleLz4,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
} from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'

/**
 * Malformed input, per stream: one scan of three devices (AlbaEM, Eiger Stream V2, LeCroy),
 * their captures made here with the encoders and then corrupted — bad JSON, a wrong part
 * count, a truncated CBOR blob, an unknown compression, corrupt bitshuffle-LZ4 data, an evil
 * pickle — at most one bad stream per event. What the ingester cannot classify (the AlbaEM
 * message with bad JSON or two parts) it drops: that frame never came, so its event fails with
 * `FRAME_MISSING` naming it, and the next frame still lands on its own event. What it can
 * classify by the protocol's own fields goes to its event, where the worker parses with
 * `parseEvent`: each bad event fails with the parser's reason. Either way the failure is named
 * and counted under its stream; every good event is reduced; the ingesters and the scan go on.
 */

const ANALYSIS = repoPath('test/e2e/devices/parse-event-analysis.ts')
const utf8 = new TextEncoder()
const DATA_EVENTS = 7

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beamloom-malformed-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function writeCapture(name: string, messages: readonly Uint8Array[][]): Promise<string> {
  const file = join(dir, `${name}.cbors`)
  const writer = await createRawCaptureWriter(file)
  for (const m of messages) await writer.write(m)
  await writer.close()
  return file
}

/** Replace the first occurrence of `from` (ASCII) in `bytes` by `to` (same length). */
function patchAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const copy = new Uint8Array(bytes)
  const text = Buffer.from(copy).toString('latin1')
  const at = text.indexOf(from)
  expect(at).toBeGreaterThanOrEqual(0)
  copy.set(Buffer.from(to, 'latin1'), at)
  return copy
}

/** Data event n (1-based) of each stream: which are bad, and how. */
const BAD: Record<number, { stream: string; code: string; reason: RegExp }> = {
  1: {
    stream: 'eiger',
    code: 'PROTOCOL_INVALID',
    reason: /stream 'eiger': Eiger V2: not well-formed CBOR: .*the message ends/,
  },
  2: {
    stream: 'em',
    code: 'FRAME_MISSING',
    reason: /stream 'em': frame 1 never came from the device \(the next was frame 2\)/,
  },
  3: {
    stream: 'eiger',
    code: 'PROTOCOL_INVALID',
    reason: /stream 'eiger': .*unknown compression 'xz_99'/,
  },
  4: { stream: 'eiger', code: 'DECODE_FAILED', reason: /stream 'eiger': .*bslz4 data truncated/ },
  5: {
    stream: 'em',
    code: 'FRAME_MISSING',
    reason: /stream 'em': frame 4 never came from the device \(the next was frame 5\)/,
  },
  6: {
    stream: 'scope',
    code: 'PROTOCOL_INVALID',
    reason: /stream 'scope': LeCroy channel 1 timestamps: .*'os.system', which is not allowed/,
  },
}

async function albaemCapture(): Promise<string> {
  const messages: Uint8Array[][] = [encodeAlbaemStart({ messageId: 0 })]
  for (let n = 1; n <= DATA_EVENTS; n++) {
    const data = encodeAlbaemData({
      messageId: n,
      frameNumber: n - 1,
      timestamp: n,
      acquisitionTimestampNs: 1.7e18,
      currents: [1e-12, 2e-12, 3e-12, 4e-12],
    })
    if (n === 2) {
      // Bad JSON: the message broke off (the ingester drops it: it is not a message).
      const json = data[0] as Uint8Array
      messages.push([json.subarray(0, json.length - 20)])
    } else if (n === 5) {
      messages.push([...data, utf8.encode('a second part')])
    } else {
      messages.push(data)
    }
  }
  messages.push(encodeAlbaemEnd({ messageId: DATA_EVENTS + 1 }))
  return writeCapture('em', messages)
}

async function eigerCapture(): Promise<string> {
  const series = { seriesId: 1, seriesUniqueId: 'bad-input' }
  const [rows, cols] = [16, 16]
  const pixels = (n: number) => Uint16Array.from({ length: rows * cols }, (_, i) => (i + n) % 9)
  const messages: Uint8Array[][] = [encodeEigerV2Start({ ...series, channels: ['threshold_1'] })]
  for (let n = 1; n <= DATA_EVENTS; n++) {
    const data = pixels(n)
    const [message] = encodeEigerV2Image({
      ...series,
      imageId: n - 1,
      compression: 'bslz4',
      images: { threshold_1: { shape: [rows, cols], data } },
    }) as [Uint8Array]
    if (n === 1) {
      messages.push([message.subarray(0, message.length - 40)])
    } else if (n === 3) {
      messages.push([patchAscii(message, 'bslz4', 'xz_99')])
    } else if (n === 4) {
      // The image's compressed bytes end the message; break its first block's length.
      const blob = encodeBitshuffleLz4(new Uint8Array(data.buffer), 2)
      const corrupt = new Uint8Array(message)
      const blockLength = corrupt.length - blob.length + 12
      new DataView(corrupt.buffer).setUint32(blockLength, 0x7fff_fff0)
      messages.push([corrupt])
    } else {
      messages.push([message])
    }
  }
  messages.push(encodeEigerV2End(series))
  return writeCapture('eiger', messages)
}

async function lecroyCapture(): Promise<string> {
  // A pickle that would run os.system('ls'): the data-only reader must refuse it.
  const evilPickle = Buffer.concat([
    Buffer.from([0x80, 0x02]),
    Buffer.from('cos\nsystem\n', 'latin1'),
    Buffer.from([0x58, 0x02, 0, 0, 0]),
    Buffer.from('ls', 'latin1'),
    Buffer.from([0x85, 0x52, 0x2e]),
  ])
  let frame = 0
  const messages: Uint8Array[][] = [encodeLecroyPrepare(frame++)]
  for (let n = 1; n <= DATA_EVENTS; n++) {
    messages.push(encodeLecroySeqStart({ frame: frame++, ntriggers: 1, seqno: n, channels: [1] }))
    const traces = encodeLecroyTraces({
      channel: 1,
      ts: 1.7e9 + n,
      frame: frame++,
      data: new Float64Array([n, n, n]),
      shape: [1, 3],
      horizOffset: 0,
      horizInterval: 1e-9,
      timestamps: [1.7e9 + n],
    })
    messages.push(n === 6 ? [traces[0] as Uint8Array, traces[1] as Uint8Array, evilPickle] : traces)
    messages.push(encodeLecroySeqEnd(frame++))
  }
  messages.push(encodeLecroyStop(frame, frame))
  return writeCapture('scope', messages)
}

interface WorkerLog {
  readonly role: string
  readonly process: string
  readonly message: string
  readonly context?: Record<string, string | number>
}

describe('malformed input, per stream', () => {
  it('fails each bad event with its reason under its stream; every good event is reduced', async () => {
    const system = await startUp(
      parseUpSpec(
        {
          worker: `${ANALYSIS}:ParseEventWorker`,
          reducer: `${ANALYSIS}:ParseEventReducer`,
          workers: 2,
          port: 0,
          reducerPort: 0,
          frames: DATA_EVENTS,
          simulate: [
            { device: 'albaem', stream: 'em', capture: await albaemCapture() },
            { device: 'eiger-v2', stream: 'eiger', capture: await eigerCapture() },
            { device: 'lecroy', stream: 'scope', capture: await lecroyCapture() },
          ],
        },
        'malformed input',
      ),
    )
    try {
      const scanId = await system.startScan()
      await system.reducer.scanDone(scanId)
      const api = (path: string) => fetch(`${system.controllerUrl}${path}`)
      const progress = await (await api('/api/v1/progress')).json()
      expect(progress).toMatchObject({
        finished: true,
        total_events: DATA_EVENTS + 2,
        completed_events: DATA_EVENTS + 2,
      })

      // Every good event reached the reducer, every stream parsed; no bad one did.
      const publish = system.reducer.publish as { events: Record<string, Record<string, string>> }
      const good = [0, 7, DATA_EVENTS + 1].map(String)
      expect(Object.keys(publish.events).sort()).toEqual(good.sort())
      expect(publish.events['0']).toEqual({ em: 'start', eiger: 'start', scope: 'start' })
      expect(publish.events['7']).toEqual({ em: 'data', eiger: 'data', scope: 'data' })
      expect(publish.events[String(DATA_EVENTS + 1)]).toEqual({
        em: 'end',
        eiger: 'end',
        scope: 'end',
      })

      // The controller counts them as failed (complete, nothing to reduce).
      const metrics = await (await api('/metrics')).text()
      expect(metrics).toMatch(/^beamloom_controller_events_failed_total 6$/m)

      // One log entry per bad event: its reason, its stream, the error code, and the running
      // count of that stream's failures in that worker.
      const logs = (await (await api('/api/v1/logs?level=ERROR')).json()) as WorkerLog[]
      const failures = logs.filter((l) => l.role === 'worker' && l.context?.event !== undefined)
      expect(failures.map((l) => Number(l.context?.event)).sort()).toEqual([1, 2, 3, 4, 5, 6])
      for (const entry of failures) {
        const bad = BAD[Number(entry.context?.event)]
        expect(entry.context).toMatchObject({ stream: bad?.stream, code: bad?.code })
        expect(entry.message).toMatch(bad?.reason ?? /never/)
      }
      const counted: Record<string, number> = {}
      const perWorker = new Map<string, number>()
      for (const entry of failures) {
        const key = `${entry.process}/${entry.context?.stream}`
        perWorker.set(key, Math.max(perWorker.get(key) ?? 0, Number(entry.context?.streamFailures)))
      }
      for (const [key, n] of perWorker) {
        const stream = key.split('/')[1] as string
        counted[stream] = (counted[stream] ?? 0) + n
      }
      expect(counted).toEqual({ eiger: 3, em: 2, scope: 1 })

      // The ingester warned about the two AlbaEM messages it dropped and the frames that left
      // missing, and about nothing else.
      await expect
        .poll(async () => {
          const all = (await (await api('/api/v1/logs?level=WARNING')).json()) as WorkerLog[]
          return all
            .filter((l) => l.role === 'ingester')
            .map((l) => `${l.context?.stream} ${l.context?.kind}`)
            .sort()
        })
        .toEqual(['em gap', 'em gap', 'em invalid', 'em invalid'])
    } finally {
      await system.close()
    }
  })
})
