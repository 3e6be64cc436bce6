import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parsePcapTcpUrl } from '../../../ingesters/pcap/pcap-tcp-options.js'
import {
  createPcapTcpSimulator,
  type PcapTcpSimulatorOptions,
} from '../../../ingesters/pcap/pcap-tcp-simulator.js'
import { createPcapTcpUpstreamFactory } from '../../../ingesters/pcap/pcap-tcp-upstream.js'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import {
  PCAP_RAW_TYP,
  type PcapRawMessage,
  PcapRawParser,
  type PcapRawRows,
  parsePcapRawFrames,
  type ScanId,
  streamName,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { freePort } from '../../harness/processes.js'
import { logMessages, publish, Rig, startScan, stopScan } from './harness.js'

/**
 * The PandABox TCP ingester against a PandA data port: the simulator, and a hand-written fake
 * for the exact bytes on the wire. Expected values come from the bytes a plain socket reads,
 * split by hand, never from the ingester's or the parser's code.
 */

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig.close()
})

/** Connect as a plain client, send `options`, and return everything until END, as text. */
async function rawSession(endpoint: string, options: string): Promise<string> {
  const { host, port } = parsePcapTcpUrl(endpoint)
  const { connect } = await import('node:net')
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect({ host, port }, () => socket.write(`${options}\n`))
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      if (/\nEND [^\n]*\n$/.test(text)) {
        socket.destroy()
        resolve(text)
      }
    })
    socket.on('error', reject)
  })
}

/** The sample lines of an ASCII session, as numbers (split by hand). */
function asciiRows(session: string): number[][] {
  const body = session.slice(session.indexOf('\n\n') + 2)
  return body
    .split('\n')
    .filter((l) => l.startsWith(' '))
    .map((l) => l.trim().split(/\s+/).map(Number))
}

/** The field keys (`NAME.capture`) of an ASCII session's header, split by hand. */
function headerKeys(session: string): string[] {
  const header = session.slice(0, session.indexOf('\n\n'))
  const fields = header.slice(header.indexOf('fields:\n') + 8).split('\n')
  return fields.map((l) => {
    const [name, , capture] = l.trim().split(/\s+/)
    return `${name}.${capture}`
  })
}

async function simulator(options: Partial<PcapTcpSimulatorOptions>) {
  const sim = createPcapTcpSimulator({
    bind: 'tcp://127.0.0.1:*',
    frames: 10,
    rateHz: 0,
    ...options,
  })
  rig.own(() => sim.close(), undefined)
  await sim.start()
  return sim
}

/** An ingester reading `url`, a fake worker `a`, and a scan of `events` events routed to it. */
async function scan(url: string, events: number, plane?: ControlPlane) {
  const p = plane ?? (await rig.plane())
  const ingester = await rig.deviceIngester(p, createPcapTcpUpstreamFactory(parsePcapTcpUrl(url)), {
    streams: ['panda'],
  })
  const a = await rig.worker(ingester.endpoint, 'a')
  const scanId = await startEventScan(p, events)
  await expect.poll(() => ingester.scanId).toBe(scanId)
  return { plane: p, ingester, a, scanId }
}

async function startEventScan(plane: ControlPlane, events: number): Promise<ScanId> {
  const scanId = await startScan(plane, ['panda'], events)
  return scanId
}

async function release(plane: ControlPlane, scanId: ScanId, events: number): Promise<void> {
  await publish(plane, scanId, {
    released: [0, events],
    routes: { panda: [r(0, events, ['a'])] },
    workerSlots: { a: 0 },
  })
}

function frames(a: Awaited<ReturnType<Rig['worker']>>, from = 0): Uint8Array[][] {
  return a
    .events()
    .slice(from)
    .map((e) => {
      expect(e.streams.panda?.typ).toBe(PCAP_RAW_TYP)
      return [...(e.streams.panda?.frames ?? [])]
    })
}

function parseAll(events: Uint8Array[][]): PcapRawMessage[] {
  const parser = new PcapRawParser()
  return events.map((f) => parser.parse({ typ: PCAP_RAW_TYP, frames: f }))
}

describe('PandABox TCP ingester', () => {
  it('sends the options line, forwards the header, one event per sample and END (hand-written PandA)', async () => {
    rig = new Rig()
    const lines: string[] = []
    const header =
      'arm_time: 2023-12-19T07:51:12.754Z\nmissed: 0\nprocess: Scaled\nformat: ASCII\nfields:\n PCAP.BITS0 uint32 Value\n INENC1.VAL double Mean scale: 1 offset: 0 units: mm\n\n'
    const samples = [' 301989857 592910924.7\n', ' 33554401 592910919\n', ' 33554401 592910930.9\n']
    const server: Server = createServer((socket: Socket) => {
      socket.once('data', (chunk: Buffer) => {
        lines.push(chunk.toString('latin1'))
        // Split mid-line on purpose: the ingester must join what TCP cuts.
        const all = `OK\n${header}${samples.join('')}END 3 Disarmed\n`
        socket.write(all.slice(0, 50))
        setImmediate(() => socket.write(all.slice(50)))
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    rig.own(() => new Promise((resolve) => server.close(resolve)), undefined)
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const { plane, ingester, a, scanId } = await scan(`tcp://127.0.0.1:${port}?options=scaled`, 5)
    await release(plane, scanId, 5)
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3, 4]), { timeout: 10_000 })
    expect(lines).toEqual(['SCALED\n'])
    const got = frames(a)
    expect(got.map((f) => f.length)).toEqual([1, 1, 1, 1, 1])
    const text = got.map((f) => new TextDecoder('latin1').decode(f[0]))
    expect(text).toEqual([header, ...samples, 'END 3 Disarmed\n'])
    expect(ingester.stats()?.streams.panda).toMatchObject({ read: 5, errors: 0 })
    expect(await logMessages(plane)).toEqual([])
    expect(rig.log.unexpected()).toEqual([])
  })

  it('reads a simulated ASCII acquisition: every sample equals what a plain client reads', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 25, acquisitions: 2 })
    const session = await rawSession(sim.endpoint, '')
    const keys = headerKeys(session)
    const expected = asciiRows(session)
    expect(expected).toHaveLength(25)
    const { plane, a, scanId } = await scan(sim.endpoint, 27)
    await release(plane, scanId, 27)
    await vi.waitFor(() => expect(a.numbers()).toHaveLength(27), { timeout: 10_000 })
    const messages = parseAll(frames(a))
    expect(messages[0]).toMatchObject({ kind: 'start' })
    expect(messages[26]).toMatchObject({ kind: 'end', samples: 25, reason: 'Ok' })
    const counter = keys.indexOf('COUNTER1.OUT.Value')
    expect(counter).toBeGreaterThanOrEqual(0)
    for (const [i, row] of expected.entries()) {
      const m = messages[i + 1] as PcapRawRows
      expect(m.kind).toBe('data')
      expect(m.rows).toBe(1)
      expect(keys.map((k) => Number(m.columns[k]?.[0]))).toEqual(row)
      expect(row[counter]).toBe(i + 1)
    }
    expect(rig.log.unexpected()).toEqual([])
  })

  it('reads FRAMED binary samples with the header in every event (header=each)', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 40, acquisitions: 2 })
    const session = await rawSession(sim.endpoint, 'ASCII')
    const keys = headerKeys(session)
    const expected = asciiRows(session)
    const { plane, a, scanId } = await scan(`${sim.endpoint}?options=FRAMED&header=each`, 42)
    await release(plane, scanId, 42)
    await vi.waitFor(() => expect(a.numbers()).toHaveLength(42), { timeout: 10_000 })
    const got = frames(a)
    expect(got.map((f) => f.length)).toEqual([1, ...Array(40).fill(2), 1])
    // Each sample event parses on its own, without the start event.
    const samples = got.slice(1, 41).map((f) => parsePcapRawFrames(f) as PcapRawRows)
    for (const [i, m] of samples.entries()) {
      expect(m.kind).toBe('data')
      expect(m.fields.map((f) => f.key)).toEqual(keys)
      expect(keys.map((k) => Number(m.columns[k]?.[0]))).toEqual(expected[i])
    }
    const end = new TextDecoder().decode(got[41]?.[0])
    expect(end).toBe('END 40 Ok\n')
    expect(new TextDecoder().decode(got[0]?.[0])).toContain('format: Framed')
  })

  it('reads UNFRAMED UNSCALED samples (int64 timestamps, int32 positions)', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 30, acquisitions: 2 })
    const session = await rawSession(sim.endpoint, 'UNSCALED')
    const keys = headerKeys(session)
    const expected = asciiRows(session)
    const { plane, a, scanId } = await scan(`${sim.endpoint}?options=UNFRAMED+UNSCALED`, 32)
    await release(plane, scanId, 32)
    await vi.waitFor(() => expect(a.numbers()).toHaveLength(32), { timeout: 10_000 })
    const got = frames(a)
    expect(new TextDecoder().decode(got[0]?.[0])).toContain('format: Unframed\nsample_bytes: 20\n')
    // Each binary sample is 8 + 4 + 4 + 4 bytes, forwarded as its own event.
    expect(got.slice(1, 31).map((f) => f[0]?.length)).toEqual(Array(30).fill(20))
    const messages = parseAll(got)
    for (const [i, row] of expected.entries()) {
      const m = messages[i + 1] as PcapRawRows
      expect(m.columns['PCAP.TS_TRIGGER.Value']).toBeInstanceOf(BigInt64Array)
      expect(keys.map((k) => Number(m.columns[k]?.[0]))).toEqual(row)
    }
    expect(messages[31]).toMatchObject({ kind: 'end', samples: 30 })
  })

  it('skips and counts a sample line with the wrong number of values; the acquisition goes on', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 10, badRows: [3], acquisitions: 2 })
    const expected = asciiRows(await rawSession(sim.endpoint, ''))
    expect(expected[3]).toHaveLength(3)
    const { plane, ingester, a, scanId } = await scan(sim.endpoint, 11)
    await release(plane, scanId, 11)
    await vi.waitFor(() => expect(a.numbers()).toHaveLength(11), { timeout: 10_000 })
    const messages = parseAll(frames(a))
    const counters = messages
      .slice(1, 10)
      .map((m) => Number((m as PcapRawRows).columns['COUNTER1.OUT.Value']?.[0]))
    expect(counters).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10])
    expect(messages[10]).toMatchObject({ kind: 'end', samples: 10 })
    expect(ingester.stats()?.streams.panda).toMatchObject({ invalid: 1, errors: 0 })
    expect(rig.log.unexpected().map((l) => l.message)).toEqual([
      expect.stringMatching(
        /^invalid upstream message dropped: PandABox sample line has 3 values, the header has 4 fields: '/,
      ),
    ])
  })

  it('reports a connection dropped mid-acquisition as upstream lost, and reconnects for the next scan', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 8, dropAfterRows: 5, acquisitions: 2 })
    const { plane, ingester, a, scanId } = await scan(sim.endpoint, 10)
    await release(plane, scanId, 10)
    await vi.waitFor(
      async () =>
        expect(await logMessages(plane)).toEqual([
          expect.stringMatching(
            /^upstream-lost: stream 'panda' \(waiting for the frame of event 6\): the PandABox at tcp:\/\/127\.0\.0\.1:\d+ dropped the connection after 5 samples, before END/,
          ),
        ]),
      { timeout: 10_000 },
    )
    expect(a.numbers()).toEqual([0, 1, 2, 3, 4, 5])
    expect(ingester.stats()?.upstreamLost).toBe(true)

    await stopScan(plane, scanId)
    const second = await startEventScan(plane, 10)
    await expect.poll(() => ingester.scanId).toBe(second)
    expect(ingester.state).toBe('running')
    const before = a.events().length
    await release(plane, second, 10)
    await vi.waitFor(() => expect(a.events().length - before).toBe(10), { timeout: 10_000 })
    const messages = parseAll(frames(a, before))
    expect(messages.map((m) => m.kind)).toEqual(['start', ...Array(8).fill('data'), 'end'])
    expect(
      messages
        .slice(1, 9)
        .map((m) => Number((m as PcapRawRows).columns['COUNTER1.OUT.Value']?.[0])),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(ingester.stats()?.upstreamLost).toBe(false)
    expect(rig.log.unexpected([/upstream-lost/])).toEqual([])
  })

  it('reports a data port that cannot be reached within lostAfterMs', async () => {
    rig = new Rig()
    const port = await freePort()
    const { plane, a, scanId } = await scan(`tcp://127.0.0.1:${port}?lostAfterMs=300`, 3)
    await release(plane, scanId, 3)
    await vi.waitFor(
      async () =>
        expect(await logMessages(plane)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^upstream-lost: stream 'panda' \\(waiting for the frame of event 0\\): cannot connect to the PandABox at tcp://127\\.0\\.0\\.1:${port} within 300 ms`,
            ),
          ),
        ]),
      { timeout: 10_000 },
    )
    expect(a.numbers()).toEqual([])
  })

  it('replays a recorded data-port byte stream as it is', async () => {
    rig = new Rig()
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-pcap-'))
    rig.own(() => rm(dir, { recursive: true, force: true }), undefined)
    const lines = [
      'arm_time: 2023-12-19T07:51:12.754Z\nmissed: 0\nprocess: Scaled\nformat: ASCII\nfields:\n PCAP.BITS0 uint32 Value\n PCAP.TS_TRIG double Value scale: 8e-09 offset: 0 units: s\n\n',
      ' 301989857 0.32175968\n',
      ' 33554401 0.43175968\n',
      'END 2 Disarmed\n',
    ]
    const file = join(dir, 'panda.txt')
    await writeFile(file, lines.join(''))
    const sim = await simulator({ capture: file })
    const { plane, a, scanId } = await scan(sim.endpoint, 4)
    await release(plane, scanId, 4)
    await vi.waitFor(() => expect(a.numbers()).toEqual([0, 1, 2, 3]), { timeout: 10_000 })
    expect(frames(a).map((f) => new TextDecoder('latin1').decode(f[0]))).toEqual(lines)
    const messages = parseAll(frames(a))
    expect(
      Array.from((messages[2] as PcapRawRows).columns['PCAP.TS_TRIG.Value'] as Float64Array),
    ).toEqual([0.43175968])
  })

  it('the simulator answers ERR to options it does not play, and OK then a header otherwise', async () => {
    rig = new Rig()
    const sim = await simulator({ frames: 2 })
    const { host, port } = parsePcapTcpUrl(sim.endpoint)
    const { connect } = await import('node:net')
    const reply = await new Promise<string>((resolve) => {
      let text = ''
      const socket = connect({ host, port }, () => socket.write('XML\n'))
      socket.on('data', (d: Buffer) => {
        text += d.toString()
      })
      socket.on('close', () => resolve(text))
    })
    expect(reply).toBe('ERR XML is not simulated\n')
    const session = await rawSession(sim.endpoint, 'UNSCALED')
    expect(session.startsWith('OK\narm_time: ')).toBe(true)
    expect(session).toContain('process: Unscaled\n')
    expect(session).toContain(' PCAP.TS_TRIGGER int64 Value\n')
    expect(asciiRows(session)).toEqual([
      [125_000, 1, 100_000, 0x1200_0000],
      [250_000, 2, 100_250, 0x1200_0001],
    ])
  })
})

describe('PandABox TCP simulator and upstream lifecycle', () => {
  it('simulator: start → close, close twice, close while a client waits between samples', async () => {
    rig = new Rig()
    const sim = createPcapTcpSimulator({ bind: 'tcp://127.0.0.1:*', frames: 1000, rateHz: 2 })
    await sim.start()
    const { host, port } = parsePcapTcpUrl(sim.endpoint)
    const { connect } = await import('node:net')
    let text = ''
    const closed = new Promise<void>((resolve) => {
      const socket = connect({ host, port }, () => socket.write('\n'))
      socket.on('data', (d: Buffer) => {
        text += d.toString()
      })
      socket.on('close', () => resolve())
    })
    // The first sample is sent at once, the next one only after 500 ms: close in between.
    await vi.waitFor(() => expect(text).toMatch(/\n\n [^\n]+\n$/), { timeout: 10_000 })
    await Promise.all([sim.close(), sim.close()])
    expect(sim.state).toBe('closed')
    expect(await sim.closed).toBeUndefined()
    await closed
    expect(text).not.toContain('END')
  })

  it('simulator: close during start', async () => {
    rig = new Rig()
    const sim = createPcapTcpSimulator({ bind: 'tcp://127.0.0.1:*', frames: 1, rateHz: 0 })
    const starting = sim.start()
    await sim.close()
    await starting.catch(() => undefined)
    expect(sim.state).toBe('closed')
  })

  it('upstream: a read blocked on a silent PandA ends when the upstream closes; close twice', async () => {
    rig = new Rig()
    const server: Server = createServer((socket) => socket.on('error', () => {}))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    rig.own(() => new Promise((resolve) => server.close(resolve)), undefined)
    const address = server.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const upstream = createPcapTcpUpstreamFactory(
      parsePcapTcpUrl(`tcp://127.0.0.1:${port}`),
    ).create({
      scanId: 'scan' as ScanId,
      streams: [streamName('panda')],
      logger: rig.log.logger,
      onInvalid: () => {},
    })
    await upstream.start()
    const reading = upstream.next(streamName('panda'), new AbortController().signal)
    const outcome = reading.then(
      () => 'resolved',
      (err: unknown) => (err as { code?: string }).code,
    )
    await Promise.all([upstream.close(), upstream.close()])
    expect(await outcome).toBe('UPSTREAM_CLOSED')
  })
})
