import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { buildControllerApp } from '../../../src/controller/controller-app.js'
import { testBed } from './fakes.js'

type Bed = Awaited<ReturnType<typeof testBed>>
let bed: Bed | undefined
let app: FastifyInstance | undefined

afterEach(async () => {
  await app?.close()
  await bed?.cleanup()
  app = undefined
  bed = undefined
})

/** The controller's app with a logger at `level` whose records are collected. */
async function appLoggingAt(level: 'info' | 'debug') {
  bed = await testBed()
  const controller = await bed.controller()
  const out = new PassThrough()
  const records: Record<string, unknown>[] = []
  out.on('data', (d: Buffer) => {
    for (const line of d
      .toString()
      .split('\n')
      .filter((l) => l.length > 0)) {
      records.push(JSON.parse(line))
    }
  })
  app = buildControllerApp(controller, { logger: pino({ level }, out) })
  return { app, records }
}

describe('the controller logs HTTP requests at debug', () => {
  it('logs nothing per request at info', async () => {
    const { app, records } = await appLoggingAt('info')
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ url: '/api/v1/status' })).statusCode).toBe(200)
    }
    expect((await app.inject({ url: '/api/v1/nothing-here' })).statusCode).toBe(404)
    expect(records).toEqual([])
  })

  it('logs one line per request at debug, with method, url, status and time', async () => {
    const { app, records } = await appLoggingAt('debug')
    await app.inject({ url: '/api/v1/progress' })
    await app.inject({ url: '/api/v1/nothing-here' })
    await expect.poll(() => records.length).toBe(2)
    expect(records[0]).toMatchObject({
      level: 20,
      msg: 'request',
      method: 'GET',
      url: '/api/v1/progress',
      statusCode: 200,
    })
    expect(records[1]).toMatchObject({ url: '/api/v1/nothing-here', statusCode: 404 })
    expect(typeof records[0]?.ms).toBe('number')
  })
})
