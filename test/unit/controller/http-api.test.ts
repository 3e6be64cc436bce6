import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { FakeProcess, testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined
let app: FastifyInstance | undefined

afterEach(async () => {
  const errors = bed?.errors() ?? []
  await app?.close()
  await bed?.cleanup()
  app = undefined
  bed = undefined
  expect(errors).toEqual([])
})

const TOKEN = 's3cret-token'
const auth = { authorization: `Bearer ${TOKEN}` }
const map = (n: number) => ({
  eiger: Array.from({ length: n }, (_, i) => [{ tags: ['generic'], constraint: i }]),
})

async function setup(token?: string) {
  bed = await testBed()
  await bed.ingester('ing', ['eiger'])
  await bed.worker('a')
  const controller = await bed.controller()
  app = buildControllerApp(controller, token === undefined ? {} : { token })
  return { controller, app }
}

describe('controller HTTP API', () => {
  it('starts a scan from a map and reports progress until finished', async () => {
    const { app } = await setup()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping?all_wrap=false',
      payload: map(5),
    })
    expect(res.statusCode, res.body).toBe(200)
    const id = res.json()
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await vi.waitFor(async () => {
      const p = await app.inject({ url: '/api/v1/progress' })
      expect(p.json()).toEqual({
        last_assigned: 5,
        completed_events: 5,
        total_events: 5,
        finished: true,
        status: 'finished',
        failed_events: 0,
      })
    })
    const m = await app.inject({ url: '/api/v1/mapping' })
    // Dranspose's document: each part under `mapping`; no start/end part with all_wrap=false.
    expect(m.json()).toEqual({ parts: { main: { mapping: map(5) } }, sequence: ['main'] })
    const s = await app.inject({ url: '/api/v1/sequence' })
    expect(s.json()).toEqual(m.json())
    const status = await app.inject({ url: '/api/v1/status' })
    expect(status.json()).toMatchObject({ scan_id: id, status: 'finished', total_events: 5 })
  })

  it('numbers scans 1, 2, 3 and keeps the name given when starting one', async () => {
    const { app } = await setup()
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping?all_wrap=false',
      payload: map(2),
    })
    expect(first.statusCode, first.body).toBe(200)
    expect((await app.inject({ url: '/api/v1/status' })).json()).toMatchObject({
      scan_id: first.json(),
      scan_number: 1,
      scan_name: null,
    })
    const second = await app.inject({
      method: 'POST',
      url: `/api/v1/sequence?name=${encodeURIComponent('mesh sx sy · 5×4')}`,
      payload: { parts: { p: map(2) }, sequence: ['p'] },
    })
    expect(second.statusCode, second.body).toBe(200)
    expect((await app.inject({ url: '/api/v1/status' })).json()).toMatchObject({
      scan_id: second.json(),
      scan_number: 2,
      scan_name: 'mesh sx sy · 5×4',
    })
    const tooLong = await app.inject({
      method: 'POST',
      url: `/api/v1/mapping?name=${'x'.repeat(201)}`,
      payload: map(2),
    })
    expect(tooLong.statusCode).toBe(400)
    expect(tooLong.json().message).toMatch(/name/)
  })

  it('takes a sequence and stops a scan', async () => {
    const { app } = await setup()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { p: map(3) }, sequence: ['p', 'p'] },
    })
    expect(res.statusCode).toBe(200)
    const stop = await app.inject({ method: 'POST', url: '/api/v1/stop' })
    expect(stop.statusCode).toBe(200)
    expect(stop.json()).toBeNull()
  })

  it('answers 400 with issues and paths for malformed JSON and bad maps', async () => {
    const { app } = await setup()
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      headers: { 'content-type': 'application/json' },
      payload: '{"eiger": [',
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().detail).toBeTruthy()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: { eiger: [[{ tags: ['generic'], constraint: -1 }]] },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({
      code: 'MAPPING_INVALID',
      issues: [{ path: ['eiger', 0, 0, 'constraint'] }],
    })
    const seq = await app.inject({
      method: 'POST',
      url: '/api/v1/sequence',
      payload: { parts: { p: map(1) }, sequence: ['q'] },
    })
    expect(seq.statusCode).toBe(400)
    expect(seq.json().issues).toEqual([
      { path: ['sequence', 0], message: "sequence names part 'q', which is not in parts" },
    ])
    const wrap = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping?all_wrap=maybe',
      payload: map(1),
    })
    expect(wrap.statusCode).toBe(400)
    expect(wrap.json().issues[0].path).toEqual(['all_wrap'])
  })

  it('answers 400 with every issue listed and the first in the message (formatIssues)', async () => {
    const { app } = await setup()
    const negative = { tags: ['generic'], constraint: -1 }
    const mapping = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: { eiger: [[negative], [negative]] },
    })
    expect(mapping.statusCode).toBe(400)
    const mappingMessage =
      'invalid trigger map: eiger.0.0.constraint: constraint must not be negative; (1 more)'
    expect(mapping.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'MAPPING_INVALID',
      message: mappingMessage,
      detail: mappingMessage,
      issues: [
        { path: ['eiger', 0, 0, 'constraint'], message: 'constraint must not be negative' },
        { path: ['eiger', 1, 0, 'constraint'], message: 'constraint must not be negative' },
      ],
    })
    const sardana = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger'], scan: {} },
    })
    expect(sardana.statusCode).toBe(400)
    expect(sardana.json()).toMatchObject({
      code: 'MAPPING_INVALID',
      detail: 'invalid sardana scan description: scan.nb_points: no nb_points in scan',
      issues: [{ path: ['scan', 'nb_points'], message: 'no nb_points in scan' }],
    })
    const query = await app.inject({ url: '/api/v1/load?scan=maybe&intervals=0' })
    expect(query.statusCode).toBe(400)
    expect(query.json()).toMatchObject({
      code: 'REQUEST_INVALID',
      detail:
        'invalid querystring: querystring.intervals: Too small: expected number to be >0; (1 more)',
      issues: [
        { path: ['querystring', 'intervals'], message: 'Too small: expected number to be >0' },
        { path: ['querystring', 'scan'], message: expect.stringMatching(/^Invalid option/) },
      ],
    })
  })

  it('answers 400 naming missing streams and too few workers', async () => {
    const { app } = await setup()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: { ...map(1), orca: [[{ constraint: 1 }]] },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().message).toContain("stream 'orca' is not served")
    const many = await app.inject({
      method: 'POST',
      url: '/api/v1/mapping',
      payload: { eiger: [[{ constraint: 1 }, { constraint: 2 }]] },
    })
    expect(many.statusCode).toBe(400)
    expect(many.json().message).toContain('only 1 workers available, but 2 required')
  })

  it('requires the bearer token on every mutating endpoint', async () => {
    const { app } = await setup(TOKEN)
    for (const url of [
      '/api/v1/mapping',
      '/api/v1/sequence',
      '/api/v1/stop',
      '/api/v1/parameter/x',
      '/api/v1/sardana_hook',
    ]) {
      const res = await app.inject({ method: 'POST', url, payload: {} })
      expect(res.statusCode, url).toBe(401)
      const wrong = await app.inject({
        method: 'POST',
        url,
        payload: {},
        headers: { authorization: 'Bearer nope' },
      })
      expect(wrong.statusCode, url).toBe(401)
    }
    expect((await app.inject({ url: '/api/v1/progress' })).statusCode).toBe(200)
    const ok = await app.inject({ method: 'POST', url: '/api/v1/stop', headers: auth })
    expect(ok.statusCode).toBe(200)
  })

  it('round-trips raw parameter bytes and validates typed ones', async () => {
    const { app } = await setup()
    const reducer = new FakeProcess(bed!.fakes, 'reducer', 'reducer', {
      parameters: [
        { name: 'threshold', dtype: 'int', default: 3 },
        { name: 'mask', dtype: 'binary', default: Buffer.from([1, 2]).toString('base64') },
        { name: 'blob', dtype: 'binary', default: '' },
      ],
    })
    await reducer.register(10_000)
    const bytes = Buffer.from([0, 255, 10, 13, 0])
    const set = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/blob',
      headers: { 'content-type': 'application/json' },
      payload: bytes,
    })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatch(/^[0-9a-f]{64}$/)
    const get = await app.inject({ url: '/api/v1/parameter/blob' })
    expect(get.headers['content-type']).toBe('application/x.bytes')
    expect(get.rawPayload.equals(bytes)).toBe(true)
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/threshold',
      payload: 'abc',
      headers: { 'content-type': 'text/plain' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('PARAMETER_INVALID')
    const good = await app.inject({
      method: 'POST',
      url: '/api/v1/parameter/threshold',
      payload: '42',
    })
    expect(good.statusCode).toBe(200)
    expect((await app.inject({ url: '/api/v1/parameter/threshold' })).body).toBe('42')
    expect((await app.inject({ url: '/api/v1/parameter/mask' })).rawPayload).toEqual(
      Buffer.from([1, 2]),
    )
    expect((await app.inject({ url: '/api/v1/parameter/nothing' })).statusCode).toBe(404)
    const described = await app.inject({ url: '/api/v1/parameters' })
    expect(described.json()).toEqual([
      { name: 'blob', dtype: 'binary', default: '' },
      { name: 'mask', dtype: 'binary', default: 'AQI=' },
      { name: 'threshold', dtype: 'int', default: 3 },
    ])
    reducer.crash()
  })

  it('serves config, load, logs, sardana hook, metrics, health and docs', async () => {
    const { app, controller } = await setup()
    const config = await app.inject({ url: '/api/v1/config' })
    expect(config.json()).toMatchObject({
      ingesters: [{ name: 'ing', streams: ['eiger'] }],
      workers: [{ name: 'a', tags: ['generic'] }],
      reducer: null,
    })
    const sardana = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger', 'pilatus'], scan: { nb_points: 4 } },
    })
    expect(sardana.statusCode).toBe(200)
    const sequence = (await app.inject({ url: '/api/v1/sequence' })).json()
    expect(sequence.parts.sardana.mapping.eiger).toHaveLength(4)
    expect(sequence.sequence).toEqual(['reserved_start_end', 'sardana', 'reserved_start_end'])
    const noPoints = await app.inject({
      method: 'POST',
      url: '/api/v1/sardana_hook',
      payload: { streams: ['eiger'], scan: {} },
    })
    expect(noPoints.statusCode).toBe(400)
    await vi.waitFor(() => expect(controller.scan()?.status).toBe('finished'))
    const load = await app.inject({ url: '/api/v1/load?intervals=1&intervals=60' })
    expect(load.statusCode).toBe(200)
    const logs = await app.inject({ url: '/api/v1/logs?level=INFO' })
    expect(logs.json().some((l: { msg: string }) => l.msg.includes('started'))).toBe(true)
    expect((await app.inject({ url: '/api/v1/logs?level=ERROR' })).json()).toEqual([])
    const metrics = await app.inject({ url: '/metrics' })
    expect(metrics.body).toContain('beamloom_controller_scans_started_total 1')
    expect((await app.inject({ url: '/health/live' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(200)
    const docs = await app.inject({ url: '/docs/json' })
    expect(Object.keys(docs.json().paths)).toContain('/api/v1/mapping')
    await controller.close()
    expect((await app.inject({ url: '/health/ready' })).statusCode).toBe(503)
  })
})
