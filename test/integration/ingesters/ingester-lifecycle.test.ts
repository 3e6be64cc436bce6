import { afterEach, describe, expect, it } from 'vitest'
import { createIngester } from '../../../ingesters/base/create-ingester.js'
import { IngesterConfig } from '../../../ingesters/base/ingester-config.js'
import { createStinsSimulator } from '../../../ingesters/stins/stins-simulator.js'
import { createStinsUpstreamFactory } from '../../../ingesters/stins/stins-upstream.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { captureLogger, logMessages, publish, Rig, startScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple
const NOWHERE = 'tcp://127.0.0.1:9' // discard port: nothing answers, zmq keeps retrying

let rig: Rig
afterEach(async () => {
  await rig.close()
  expect(rig.log.unexpected()).toEqual([])
})

function bare(plane: Parameters<typeof createIngester>[1]['plane']) {
  return createIngester(IngesterConfig.parse({ streams: ['eiger'] }), {
    plane,
    upstream: createStinsUpstreamFactory({ url: NOWHERE }),
    logger: rig.log.logger,
  })
}

describe('ingester lifecycle', () => {
  it('starts, registers, and closes (deregistering)', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const ingester = bare(plane)
    await ingester.start()
    expect(ingester.state).toBe('running')
    expect(ingester.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    expect(await plane.get(plane.keys.process('ingester', 'eiger-ingester'))).toBeDefined()
    await ingester.close()
    expect(ingester.state).toBe('closed')
    expect(await ingester.closed).toBeUndefined()
    expect(await plane.get(plane.keys.process('ingester', 'eiger-ingester'))).toBeUndefined()
  })

  it('closes twice', async () => {
    rig = new Rig()
    const ingester = bare(await rig.plane())
    await ingester.start()
    await Promise.all([ingester.close(), ingester.close()])
    await ingester.close()
    expect(await ingester.closed).toBeUndefined()
  })

  it('closes during start', async () => {
    rig = new Rig()
    const ingester = bare(await rig.plane())
    const starting = ingester.start()
    await ingester.close()
    await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
    expect(ingester.state).toBe('closed')
  })

  it('closes while reading is blocked on a device that never answers', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const ingester = bare(plane)
    await ingester.start()
    const scanId = await startScan(plane, ['eiger'], 3)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await publish(plane, scanId, { released: [0, 3], routes: { eiger: [r(0, 3, ['a'])] } })
    await expect.poll(() => ingester.stats()?.releasedTo).toBe(3)
    await ingester.close()
    expect(await ingester.closed).toBeUndefined()
    expect(ingester.stats()).toMatchObject({ nextEvent: 0 })
  })

  it('rejoins the scan that is running when it starts', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const scanId = await startScan(plane, ['eiger'], 3)
    const ingester = bare(plane)
    await ingester.start()
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await ingester.close()
  })
})

describe('STINS simulator lifecycle', () => {
  const options = {
    bind: 'tcp://127.0.0.1:*',
    frames: 3,
    shape: [4, 4] as const,
    dtype: 'uint16' as const,
    rateHz: 0,
    compression: 'none' as const,
  }

  it('start→close, close twice, close during start', async () => {
    rig = new Rig()
    const a = createStinsSimulator(options)
    await a.start()
    expect(a.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
    await Promise.all([a.close(), a.close()])
    expect(await a.closed).toBeUndefined()
    const b = createStinsSimulator(options)
    const starting = b.start()
    await b.close()
    await expect(starting).rejects.toMatchObject({ code: 'STATE_INVALID' })
  })

  it('closes while waiting for a receiver, and while blocked on a full queue', async () => {
    rig = new Rig()
    const waiting = createStinsSimulator(options)
    await waiting.start()
    await waiting.close()
    await waiting.done
    expect(waiting.sentMessages).toBe(0)
    // A receiver that never reads: the queues fill and send waits.
    const { Pull } = await import('zeromq')
    const pull = new Pull({ receiveHighWaterMark: 1 })
    const blocked = createStinsSimulator({ ...options, frames: 100_000, sendHighWaterMark: 1 })
    await blocked.start()
    pull.connect(blocked.endpoint)
    await expect.poll(() => blocked.sentMessages).toBeGreaterThan(0)
    await blocked.close({ force: true })
    expect(await blocked.closed).toBeUndefined()
    pull.close()
  })

  it('rejects a bind address it cannot use', async () => {
    rig = new Rig()
    const bad = createStinsSimulator({ ...options, bind: 'nonsense' })
    await expect(bad.start()).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })
})

describe('ingester restarts during a scan', () => {
  it('rejoins a running scan it had not read from yet, refuses one it had (upstream-lost)', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const sim = await rig.simulator({
      bind: 'tcp://127.0.0.1:*',
      frames: 10,
      shape: [4, 4],
      dtype: 'uint16',
      rateHz: 0,
      compression: 'none',
    })
    const scanId = await startScan(plane, ['eiger'], 12)
    const readMark = plane.keys.ingester(scanId, 'eiger-ingester')

    // First run: started after the scan, before the device sent anything: it joins the scan.
    const first = createIngester(IngesterConfig.parse({ streams: ['eiger'], heartbeatMs: 200 }), {
      plane,
      upstream: createStinsUpstreamFactory({ url: sim.endpoint }),
      logger: rig.log.logger,
    })
    await first.start()
    await expect.poll(() => first.scanId).toBe(scanId)
    expect(await plane.get(readMark)).toBeUndefined()
    const worker = await rig.worker(first.endpoint, 'a')
    await publish(plane, scanId, { released: [0, 3], routes: { eiger: [r(0, 3, ['a'])] } })
    await expect.poll(() => worker.numbers()).toEqual([0, 1, 2])
    expect(await plane.get(readMark)).toBeDefined()
    await first.close()

    // Second run of the same ingester: the scan is still running, but the frames the first run
    // held are gone and the device's next frame cannot be matched to its event.
    const restartLog = captureLogger()
    const second = createIngester(IngesterConfig.parse({ streams: ['eiger'], heartbeatMs: 200 }), {
      plane,
      upstream: createStinsUpstreamFactory({ url: sim.endpoint }),
      logger: restartLog.logger,
    })
    await second.start()
    await expect
      .poll(() => logMessages(plane))
      .toContainEqual(expect.stringMatching(/^upstream-lost: ingester 'eiger-ingester' restarted/))
    expect(second.scanId).toBeUndefined()
    expect(restartLog.unexpected().map((l) => l.message)).toEqual([
      expect.stringMatching(/^upstream-lost: ingester 'eiger-ingester' restarted during scan/),
    ])
    await second.close()
  })
})
