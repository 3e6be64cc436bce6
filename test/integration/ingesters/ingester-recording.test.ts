import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createParameterStore } from '../../../src/control/parameter-store.js'
import { ParameterName, readRecording, type WorkerMessage } from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { logMessages, publish, Rig, startScan, stopScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple
const DUMP_PREFIX = ParameterName.parse('dump_prefix')

let rig: Rig
let dir: string
beforeEach(async () => {
  rig = new Rig()
  dir = await mkdtemp(join(tmpdir(), 'beamloom-rec-'))
})
afterEach(async () => {
  await rig.close()
  await rm(dir, { recursive: true, force: true })
})

async function runScan(prefix: string) {
  const plane = await rig.plane()
  await createParameterStore(plane).set(DUMP_PREFIX, prefix)
  const sim = await rig.simulator({
    bind: 'tcp://127.0.0.1:*',
    frames: 2,
    shape: [8, 8],
    dtype: 'uint16',
    rateHz: 0,
    compression: 'none',
  })
  const ingester = await rig.ingester(plane, { url: sim.endpoint }, { dumpDir: dir })
  const a = await rig.worker(ingester.endpoint, 'a')
  const scanId = await startScan(plane, ['eiger'], 5, { eiger: [2] })
  await expect.poll(() => ingester.scanId).toBe(scanId)
  await publish(plane, scanId, {
    released: [0, 5],
    routes: { eiger: [r(0, 2, ['a']), r(2, 3, null), r(3, 5, ['a'])] },
    workerSlots: { a: 0 },
  })
  return { plane, ingester, a, scanId }
}

describe('ingester recording', () => {
  it('writes what it reads to <dump dir>/<prefix><name>-<scan>.cbors, readable back', async () => {
    const { plane, ingester, a, scanId } = await runScan('run1/dump_')
    await expect.poll(() => a.numbers()).toEqual([0, 1, 3, 4])
    await stopScan(plane, scanId)
    await expect.poll(() => ingester.scanId).toBeUndefined()
    const path = join(dir, 'run1', `dump_eiger-ingester-${scanId}.cbors`)
    const records: WorkerMessage[] = []
    for await (const record of readRecording(path)) records.push(record)
    expect(records.map((m) => m.eventNumber)).toEqual([0, 1, 3, 4])
    records.forEach((record, i) => {
      const sent = a.events()[i]!.streams.eiger!
      expect(record.streams.eiger!.typ).toBe('STINS')
      expect(record.streams.eiger!.frames.map((f) => Buffer.from(f))).toEqual(
        sent.frames.map((f) => Buffer.from(f)),
      )
      expect(record.createdAt).toBeInstanceOf(Date)
    })
    expect(ingester.stats()?.recordsWritten).toBe(4)
    expect(rig.log.unexpected()).toEqual([])
  })

  it('refuses a path outside the dump dir: logs an error, writes nothing, still forwards', async () => {
    const { plane, a } = await runScan('../escape_')
    await expect.poll(() => a.numbers()).toEqual([0, 1, 3, 4])
    expect(await logMessages(plane)).toEqual([
      expect.stringMatching(/^recording refused: .*outside the dump directory/),
    ])
    expect(rig.log.unexpected([/recording refused/])).toEqual([])
    expect(await readdir(dir)).toEqual([])
  })
})
