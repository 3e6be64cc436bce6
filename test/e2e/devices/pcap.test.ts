import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { DeviceSimulator } from '../../../ingesters/base/zmq-simulator.js'
import { createPcapTcpSimulator } from '../../../ingesters/pcap/pcap-tcp-simulator.js'
import { createPcapZmqSimulator } from '../../../ingesters/pcap/pcap-zmq-simulator.js'
import { readRawCapture } from '../../../src/internal.js'
import { runDeviceScan } from '../../harness/device-scan.js'
import { fixturePath } from '../../harness/fixtures.js'
import { type Child, freePort, spawnBeamloom, stopAll } from '../../harness/processes.js'

/**
 * PandABox through the whole system: the zmq recording (pcap-zmq.cbors) and a generated TCP
 * acquisition, each played by its simulator into its real ingester, through two workers
 * (which parse with `parseStream`) to the reducer. Expected figures come from the capture's
 * JSON and from the bytes a plain TCP client reads, never from the parsers.
 */

const children: Child[] = []
const simulators: DeviceSimulator[] = []
afterEach(async () => {
  await stopAll(children.splice(0))
  for (const sim of simulators.splice(0)) await sim.close()
})

const COLUMNS = ['inttime', 'triggernumber', 'repeatindex', 'energy', 'INENC3.VAL.Mean']

interface Batch {
  frameNumber: number
  columns: Record<string, number[]>
}

/** The data messages of the zmq capture, read with JSON.parse only. */
async function captureBatches(): Promise<Batch[]> {
  const batches: Batch[] = []
  for await (const parts of readRawCapture(fixturePath('pcap-zmq.cbors'))) {
    const json = JSON.parse(new TextDecoder().decode(parts[0])) as Record<string, unknown>
    if (json.message_type !== 'data') continue
    const columns: Record<string, number[]> = {}
    for (const name of COLUMNS) columns[name] = json[name] as number[]
    batches.push({ frameNumber: json.frame_number as number, columns })
  }
  return batches
}

const sum = (values: readonly number[]) => values.reduce((s, v) => s + v, 0)

async function started<T extends DeviceSimulator>(sim: T): Promise<T> {
  simulators.push(sim)
  await sim.start()
  return sim
}

describe('PandABox, simulator → ingester → workers → reducer', () => {
  it('pcap-zmq.cbors, one event per row (as Dranspose): 1500 rows, every column value and frame_number', async () => {
    const batches = await captureBatches()
    expect(batches).toHaveLength(100)
    const rows = batches.flatMap((b) =>
      b.columns.energy!.map((_, i) => ({
        frameNumber: b.frameNumber + i,
        values: COLUMNS.map((c) => b.columns[c]![i]!),
      })),
    )
    expect(rows).toHaveLength(1500)
    const { events, progress } = await runDeviceScan({
      simulate: [{ device: 'pcap-zmq', stream: 'pcap', capture: fixturePath('pcap-zmq.cbors') }],
      frames: 1500,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 1502 })
    expect(events['0']?.pcap).toMatchObject({ protocol: 'pcap', kind: 'start' })
    expect(events['0']?.pcap?.strings.armTime).toBe('2024-10-07T08:49:10.627Z')
    const totals = COLUMNS.map(() => 0)
    for (const [i, row] of rows.entries()) {
      const event = events[String(i + 1)]?.pcap
      expect(event?.kind).toBe('data')
      expect(event?.sums.rows).toBe(1)
      expect(event?.sums.frameNumber).toBe(row.frameNumber)
      for (const [c, name] of COLUMNS.entries()) {
        expect(event?.sums[`columns.${name}`]).toBe(row.values[c])
        totals[c]! += event?.sums[`columns.${name}`] ?? Number.NaN
      }
    }
    expect(rows.map((r) => r.frameNumber)).toEqual(Array.from({ length: 1500 }, (_, i) => i))
    for (const [c, name] of COLUMNS.entries()) {
      expect(totals[c]).toBeCloseTo(sum(batches.flatMap((b) => b.columns[name]!)), 6)
    }
    expect(events['1501']?.pcap?.kind).toBe('end')
  })

  it('pcap-zmq.cbors, one event per message (events=batches): 100 batches, per-batch column sums', async () => {
    const batches = await captureBatches()
    const sim = await started(
      createPcapZmqSimulator({
        bind: 'tcp://127.0.0.1:*',
        frames: 0,
        rateHz: 0,
        capture: fixturePath('pcap-zmq.cbors'),
      }),
    )
    const { events, progress } = await runDeviceScan({
      ingester: [{ device: 'pcap-zmq', stream: 'pcap', url: `${sim.endpoint}?events=batches` }],
      frames: 100,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 102 })
    let rows = 0
    for (const [i, batch] of batches.entries()) {
      const event = events[String(i + 1)]?.pcap
      expect(event?.kind).toBe('data')
      expect(event?.sums.frameNumber).toBe(batch.frameNumber)
      const n = batch.columns.energy!.length
      expect(n).toBeGreaterThanOrEqual(14)
      expect(n).toBeLessThanOrEqual(16)
      expect(event?.sums.rows).toBe(n)
      for (const name of COLUMNS) {
        expect(event?.lengths[`columns.${name}`]).toBe(n)
        expect(event?.sums[`columns.${name}`]).toBeCloseTo(sum(batch.columns[name]!), 9)
      }
      rows += n
    }
    expect(rows).toBe(1500)
    expect(events['101']?.pcap?.kind).toBe('end')
  })

  it('a generated TCP acquisition (FRAMED, header in each event): every column as a plain client reads it', async () => {
    const frames = 200
    const sim = await started(
      createPcapTcpSimulator({ bind: 'tcp://127.0.0.1:*', frames, rateHz: 0, acquisitions: 2 }),
    )
    const session = await plainSession(sim.endpoint)
    const header = session.slice(0, session.indexOf('\n\n'))
    const keys = header
      .slice(header.indexOf('fields:\n') + 8)
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map(([name, , capture]) => `${name}.${capture}`)
    expect(keys).toEqual([
      'PCAP.TS_TRIGGER.Value',
      'COUNTER1.OUT.Value',
      'INENC1.VAL.Value',
      'PCAP.BITS0.Value',
    ])
    const rows = session
      .slice(session.indexOf('\n\n') + 2)
      .split('\n')
      .filter((l) => l.startsWith(' '))
      .map((l) => l.trim().split(/\s+/).map(Number))
    expect(rows).toHaveLength(frames)
    const { events, progress } = await runDeviceScan({
      ingester: [
        {
          device: 'pcap',
          stream: 'panda',
          url: `${sim.endpoint}?options=FRAMED+SCALED&header=each`,
        },
      ],
      frames,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: frames + 2 })
    expect(events['0']?.panda).toMatchObject({ protocol: 'pcap-raw', kind: 'start' })
    expect(events['0']?.panda?.strings['header.format']).toBe('framed')
    for (const [i, row] of rows.entries()) {
      const event = events[String(i + 1)]?.panda
      expect(event?.kind).toBe('data')
      expect(event?.sums.rows).toBe(1)
      expect(keys.map((k) => event?.sums[`columns.${k}`])).toEqual(row)
    }
    expect(sum(rows.map((r) => r[1]!))).toBe((frames * (frames + 1)) / 2)
    expect(events[String(frames + 1)]?.panda).toMatchObject({ kind: 'end' })
    expect(events[String(frames + 1)]?.panda?.sums.samples).toBe(frames)
  })

  it('pcap-zmq.cbors replayed by the TCP simulator (ASCII): 1500 samples, every value as recorded', async () => {
    const batches = await captureBatches()
    const sim = await started(
      createPcapTcpSimulator({
        bind: 'tcp://127.0.0.1:*',
        frames: 0,
        rateHz: 0,
        capture: fixturePath('pcap-zmq.cbors'),
      }),
    )
    const { events, progress } = await runDeviceScan({
      ingester: [{ device: 'pcap', stream: 'panda', url: `${sim.endpoint}?header=each` }],
      frames: 1500,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 1502 })
    expect(events['0']?.panda?.strings.armTime).toBe('2024-10-07T08:49:10.627Z')
    const keys: Record<string, string> = {
      inttime: 'inttime.Value',
      triggernumber: 'triggernumber.Value',
      repeatindex: 'repeatindex.Value',
      energy: 'energy.Value',
      'INENC3.VAL.Mean': 'INENC3.VAL.Mean',
    }
    let row = 0
    for (const batch of batches) {
      for (let i = 0; i < batch.columns.energy!.length; i++, row++) {
        const event = events[String(row + 1)]?.panda
        expect(event?.kind).toBe('data')
        for (const name of COLUMNS) {
          expect(event?.sums[`columns.${keys[name]}`]).toBe(batch.columns[name]![i])
        }
      }
    }
    expect(row).toBe(1500)
    expect(events['1501']?.panda?.sums.samples).toBe(1500)
  })

  it.each([
    [
      'simulate',
      'pcap',
      ['--bind', '--frames', '--rate', '--fields', '--drop-after', '--bad-rows', '--capture'],
    ],
    ['simulate', 'pcap-zmq', ['--bind', '--frames', '--batch', '--rate', '--capture']],
    ['ingester', 'pcap', ['--stream', '--upstream', '--redis', '--capture-options', '--header']],
    ['ingester', 'pcap-zmq', ['--stream', '--upstream', '--redis', '--events']],
  ] as const)('%s %s --help lists its options', async (role, device, options) => {
    const child = spawnBeamloom(`${role} ${device}`, [role, device, '--help'], {})
    children.push(child)
    expect(await child.exited).toBe(0)
    for (const option of options) expect(child.output()).toContain(option)
  })

  it('the PandA simulator run from the CLI feeds the real TCP ingester, and exits when done', async () => {
    const port = await freePort()
    const url = `tcp://127.0.0.1:${port}`
    const child = spawnBeamloom(
      'simulate pcap',
      [
        'simulate',
        'pcap',
        '--bind',
        url,
        '--frames',
        '12',
        '--rate',
        '0',
        '--fields',
        'COUNTER1.OUT,INENC2.VAL',
      ],
      {},
    )
    children.push(child)
    const { events, progress } = await runDeviceScan({
      ingester: [{ device: 'pcap', stream: 'panda', url: `${url}?header=each&lostAfterMs=10000` }],
      frames: 12,
    })
    expect(progress).toMatchObject({ finished: true, completed_events: 14 })
    const counters = Array.from(
      { length: 12 },
      (_, i) => events[String(i + 1)]?.panda?.sums['columns.COUNTER1.OUT.Value'],
    )
    expect(counters).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(events['13']?.panda?.sums.samples).toBe(12)
    expect(await child.exited).toBe(0)
    expect(child.output()).toContain('sent 14 messages')
  })
})

/** One ASCII session as a plain client: everything until END, as text. */
function plainSession(endpoint: string): Promise<string> {
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint)
  return new Promise((resolve, reject) => {
    let text = ''
    const socket = connect({ host: match?.[1] ?? '', port: Number(match?.[2]) }, () =>
      socket.write('\n'),
    )
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      if (/\nEND [^\n]*\n$/.test(text)) {
        socket.destroy()
        resolve(text.replace(/^OK\n/, ''))
      }
    })
    socket.on('error', reject)
  })
}
