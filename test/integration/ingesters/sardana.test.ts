import { afterEach, describe, expect, it, vi } from 'vitest'
import { IngesterConfig } from '../../../ingesters/base/ingester-config.js'
import { buildSardanaApp } from '../../../ingesters/sardana/sardana-app.js'
import {
  createSardanaIngester,
  type SardanaIngester,
} from '../../../ingesters/sardana/sardana-ingester.js'
import { SardanaQueue } from '../../../ingesters/sardana/sardana-queue.js'
import { createSardanaSimulator } from '../../../ingesters/sardana/sardana-simulator.js'
import { createSardanaUpstreamFactory } from '../../../ingesters/sardana/sardana-upstream.js'
import {
  parseSardana,
  parseSardanaFrames,
  SARDANA_TYP,
  type SardanaMessage,
  type ScanId,
  streamName,
} from '../../../src/internal.js'
import type { RouteTuple } from '../../../src/protocol/scan-messages.js'
import { logMessages, publish, Rig, startScan } from './harness.js'

const r = (from: number, to: number, workers: string[] | null) => [from, to, workers] as RouteTuple

let rig: Rig
afterEach(async () => {
  await rig?.close()
})

const desc = { serialno: 5, scandir: '/data/x', title: 'ascan m 0 1 2 0.1' }

async function post(url: string, path: string, body: unknown, token?: string) {
  const response = await fetch(new URL(path, url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function sardanaIngester(
  token?: string,
): Promise<{ ingester: SardanaIngester; plane: Awaited<ReturnType<Rig['plane']>> }> {
  const plane = await rig.plane()
  const ingester = createSardanaIngester(
    IngesterConfig.parse({ streams: ['sardana'], helloTimeoutMs: 60_000, heartbeatMs: 200 }),
    { url: 'http://127.0.0.1:0', token },
    { plane, logger: rig.log.logger },
  )
  rig.own(() => ingester.close(), undefined)
  await ingester.start()
  return { ingester, plane }
}

/** Run one scan of `events` events over the ingester; the messages worker `a` received. */
async function scan(
  ingester: SardanaIngester,
  plane: Awaited<ReturnType<Rig['plane']>>,
  events: number,
  worker: string,
): Promise<SardanaMessage[]> {
  const a = await rig.worker(ingester.endpoint, worker)
  const scanId = await startScan(plane, ['sardana'], events)
  await expect.poll(() => ingester.scanId).toBe(scanId)
  await publish(plane, scanId, {
    released: [0, events],
    routes: { sardana: [r(0, events, [worker])] },
    workerSlots: { [worker]: 0 },
  })
  const expected = Array.from({ length: events }, (_, i) => i)
  await vi.waitFor(() => expect(a.numbers()).toEqual(expected), { timeout: 10_000 })
  const streams = a.events().map((e) => e.streams.sardana ?? { typ: '', frames: [] })
  for (const s of streams) expect(s.typ).toBe(SARDANA_TYP)
  return streams.map(parseSardana)
}

describe('Sardana HTTP surface', () => {
  const app = (token?: string) => {
    const queue = new SardanaQueue(3)
    return { queue, app: buildSardanaApp(queue, { token }) }
  }
  const inject = (a: ReturnType<typeof app>['app'], url: string, payload: string, token?: string) =>
    a.inject({
      method: 'POST',
      url,
      payload,
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
    })

  it('refuses records out of order, bad JSON, non-objects, wrong types and missing fields with 400 and a message', async () => {
    const { app: a, queue } = app()
    const outOfOrder = await inject(a, '/v1/record_data', JSON.stringify({ timestamp: 1 }))
    expect(outOfOrder.statusCode).toBe(400)
    expect(outOfOrder.json().message).toMatch(/record_data without an open scan.*data_desc first/)
    const endFirst = await inject(a, '/v1/record_end', '{}')
    expect(endFirst.statusCode).toBe(400)
    const badJson = await inject(a, '/v1/data_desc', '{"serialno": 1,')
    expect(badJson.statusCode).toBe(400)
    expect(badJson.json().message).toMatch(/not JSON/)
    const list = await inject(a, '/v1/data_desc', '[1, 2]')
    expect(list.statusCode).toBe(400)
    expect(list.json().message).toMatch(/not a JSON object/)
    const wrongType = await inject(
      a,
      '/v1/data_desc',
      JSON.stringify({ ...desc, type: 'RecordEnd' }),
    )
    expect(wrongType.statusCode).toBe(400)
    expect(wrongType.json().message).toMatch(/type 'RecordEnd' \(expected DataDescription\)/)
    const missing = await inject(a, '/v1/data_desc', JSON.stringify({ serialno: 1 }))
    expect(missing.statusCode).toBe(400)
    expect(missing.json().message).toMatch(/scandir/)
    expect(queue.length).toBe(0)
    // In order, they are accepted; a record without timestamp is refused.
    expect((await inject(a, '/v1/data_desc', JSON.stringify(desc))).statusCode).toBe(200)
    const noTimestamp = await inject(a, '/v1/record_data', JSON.stringify({ point_nb: 0 }))
    expect(noTimestamp.statusCode).toBe(400)
    expect(noTimestamp.json().message).toMatch(/timestamp/)
    expect((await inject(a, '/v1/record_data', '{"timestamp": 0.5, "m": 1}')).statusCode).toBe(200)
    // An empty record_end body is `{}`.
    expect((await inject(a, '/v1/record_end', '')).statusCode).toBe(200)
    expect(queue.length).toBe(3)
    // The queue holds 3: the next body waits for a reader.
    const full = await inject(a, '/v1/data_desc', JSON.stringify(desc))
    expect(full.statusCode).toBe(503)
    expect(full.json().code).toBe('QUEUE_FULL')
    expect((await inject(a, '/v1/custom_data', '{"x": 1}')).statusCode).toBe(200)
    await a.close()
  })

  it('wants the bearer token on every POST when one is configured', async () => {
    const { app: a, queue } = app('s3cret')
    const without = await inject(a, '/v1/data_desc', JSON.stringify(desc))
    expect(without.statusCode).toBe(401)
    expect(without.headers['www-authenticate']).toBe('Bearer')
    const wrong = await inject(a, '/v1/data_desc', JSON.stringify(desc), 'nope')
    expect(wrong.statusCode).toBe(401)
    expect(queue.length).toBe(0)
    const right = await inject(a, '/v1/data_desc', JSON.stringify(desc), 's3cret')
    expect(right.statusCode).toBe(200)
    expect(queue.length).toBe(1)
    await a.close()
  })
})

describe('Sardana ingester', () => {
  it('forwards what the simulator posts: data_desc, the records, record_end (posted before the scan: queued)', async () => {
    rig = new Rig()
    const { ingester, plane } = await sardanaIngester()
    // Posted before any scan: kept for the next one.
    const sim = createSardanaSimulator({
      target: ingester.url,
      frames: 4,
      rateHz: 0,
      motor: 'dummy_mot_01',
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    await sim.done
    expect(sim.sentMessages).toBe(6)
    const messages = await scan(ingester, plane, 6, 'a')
    expect(messages.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'data', 'data', 'end'])
    expect(messages[0]).toMatchObject({
      kind: 'start',
      serialno: 1,
      title: 'ascan dummy_mot_01 0.0 1.0 3 0.1',
    })
    const positions = messages.flatMap((m) => (m.kind === 'data' ? [m.values.dummy_mot_01] : []))
    expect(positions).toEqual([0, 1 / 3, 2 / 3, 1])
    expect(messages.flatMap((m) => (m.kind === 'data' ? [m.pointNb] : []))).toEqual([0, 1, 2, 3])
    expect(ingester.stats()?.streams.sardana).toMatchObject({ read: 6, errors: 0 })
    expect(await logMessages(plane)).toEqual([])
    expect(rig.log.unexpected()).toEqual([])
  })

  it('stays bound between scans, wants its token, and starts each scan at a data_desc', async () => {
    rig = new Rig()
    const { ingester, plane } = await sardanaIngester('tok')
    expect((await post(ingester.url, '/v1/data_desc', desc)).status).toBe(401)
    // A series nobody reads, then the scan's own series: the old one is dropped at the new data_desc.
    expect(
      (await post(ingester.url, '/v1/data_desc', { ...desc, serialno: 1 }, 'tok')).status,
    ).toBe(200)
    expect((await post(ingester.url, '/v1/record_data', { timestamp: 1 }, 'tok')).status).toBe(200)
    expect(
      (await post(ingester.url, '/v1/data_desc', { ...desc, serialno: 2 }, 'tok')).status,
    ).toBe(200)
    expect(
      (await post(ingester.url, '/v1/record_data', { timestamp: 2, point_nb: 0 }, 'tok')).status,
    ).toBe(200)
    expect((await post(ingester.url, '/v1/record_end', {}, 'tok')).status).toBe(200)
    expect(ingester.upstream.stats).toMatchObject({ accepted: 5, dropped: 2, abandoned: 1 })
    const first = await scan(ingester, plane, 3, 'a')
    expect(first.map((m) => m.kind)).toEqual(['start', 'data', 'end'])
    expect(first[0]).toMatchObject({ serialno: 2 })
    await vi.waitFor(() => expect(ingester.stats()?.streams.sardana?.read).toBe(3))
    // Between scans the listener still answers; the next scan reads what was posted meanwhile.
    const sim = createSardanaSimulator({
      target: ingester.url,
      frames: 2,
      rateHz: 0,
      token: 'tok',
      serialno: 3,
    })
    rig.own(() => sim.close(), undefined)
    await sim.start()
    await sim.done
    const second = await scan(ingester, plane, 4, 'b')
    expect(second.map((m) => m.kind)).toEqual(['start', 'data', 'data', 'end'])
    expect(second[0]).toMatchObject({ serialno: 3 })
  })

  it('a data_desc before the record_end ends the scan reading the old series and starts the next one', async () => {
    rig = new Rig()
    const factory = createSardanaUpstreamFactory({ url: 'http://127.0.0.1:0' })
    rig.own(() => factory.close(), undefined)
    await factory.start()
    const invalid: string[] = []
    const context = {
      scanId: 'scan-1' as ScanId,
      streams: [streamName('sardana')],
      logger: rig.log.logger,
      onInvalid: (_s: unknown, reason: string) => invalid.push(reason),
    }
    const signal = new AbortController().signal
    const stream = streamName('sardana')
    const read = async (u: ReturnType<typeof factory.create>) =>
      parseSardanaFrames((await u.next(stream, signal)).parts)
    expect((await post(factory.url, '/v1/data_desc', { ...desc, serialno: 1 })).status).toBe(200)
    const first = factory.create(context)
    await first.start()
    expect((await post(factory.url, '/v1/record_data', { timestamp: 1 })).status).toBe(200)
    expect(await read(first)).toMatchObject({ kind: 'start', serialno: 1 })
    expect(await read(first)).toMatchObject({ kind: 'data', timestamp: 1 })
    // Sardana restarts: a new description with no record_end for the first one.
    expect((await post(factory.url, '/v1/data_desc', { ...desc, serialno: 2 })).status).toBe(200)
    await expect(first.next(stream, signal)).rejects.toMatchObject({
      code: 'UPSTREAM_CLOSED',
      message: expect.stringMatching(/new scan \(data_desc\) before the record_end/),
    })
    await first.close()
    const second = factory.create(context)
    await second.start()
    expect(await read(second)).toMatchObject({ kind: 'start', serialno: 2 })
    expect((await post(factory.url, '/v1/record_end', {})).status).toBe(200)
    expect(await read(second)).toMatchObject({ kind: 'end' })
    await expect(second.next(stream, signal)).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' })
    await second.close()
    expect(factory.stats).toMatchObject({ accepted: 4, abandoned: 1, dropped: 0 })
    expect(invalid).toEqual([])
  })

  it('lifecycle: close twice, close during start, close while a scan waits for posts; the port is released', async () => {
    rig = new Rig()
    const plane = await rig.plane()
    const make = (url: string) =>
      createSardanaIngester(
        IngesterConfig.parse({ streams: ['sardana'], heartbeatMs: 200 }),
        { url },
        { plane, logger: rig.log.logger },
      )
    const during = make('http://127.0.0.1:0')
    const starting = during.start()
    await during.close()
    await starting.catch(() => undefined)
    expect(during.state).toBe('closed')

    const ingester = make('http://127.0.0.1:0')
    await ingester.start()
    const url = ingester.url
    // A scan whose upstream waits for Sardana, which never posts.
    const scanId = await startScan(plane, ['sardana'], 3)
    await expect.poll(() => ingester.scanId).toBe(scanId)
    await rig.worker(ingester.endpoint, 'a')
    await publish(plane, scanId, {
      released: [0, 3],
      routes: { sardana: [r(0, 3, ['a'])] },
      workerSlots: { a: 0 },
    })
    await ingester.close()
    await ingester.close()
    expect(await ingester.closed).toBeUndefined()
    await expect(fetch(`${url}/v1/record_end`, { method: 'POST' })).rejects.toThrow()
    // The same port can be bound again.
    const again = make(url)
    await again.start()
    expect(again.url).toBe(url)
    await again.close()
  })

  it('a simulator whose posts are refused closes with the status and message', async () => {
    rig = new Rig()
    const { ingester } = await sardanaIngester('tok')
    const sim = createSardanaSimulator({ target: ingester.url, frames: 1, rateHz: 0 })
    await sim.start()
    const err = await sim.closed
    expect(err?.message).toMatch(/answered 401 to \/v1\/data_desc: .*bearer token/)
  })
})
