import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerHdf5Rest } from '../../../reducer/hdf5-rest/register-hdf5-rest.js'

const N = 1 << 20 // 8 MiB of float64: more than the socket buffers hold
const FRAME_ID = `d-h5dict-${Buffer.from('/frame').toString('hex').toUpperCase()}`
const ROWS_ID = `d-h5dict-${Buffer.from('/rows').toString('hex').toUpperCase()}`

let app: FastifyInstance | undefined
let stopLoop = (): void => {}
afterEach(async () => {
  stopLoop()
  await app?.close()
  app = undefined
})

/**
 * A stand-in for the reducer: on every turn of the event loop it rewrites the whole frame (and
 * every row) with the next counter value, in one synchronous step, as `processResult` would.
 */
function startWriter(publish: { frame: Float64Array; rows: Float32Array[] }) {
  const state = { turns: 0, running: true }
  const tick = (): void => {
    if (!state.running) return
    state.turns++
    publish.frame.fill(state.turns)
    for (const row of publish.rows) row.fill(state.turns)
    setImmediate(tick)
  }
  setImmediate(tick)
  stopLoop = () => {
    state.running = false
  }
  return state
}

async function listen(publish: unknown): Promise<string> {
  app = Fastify()
  registerHdf5Rest(app, { publish })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

function allEqual(values: ArrayLike<number>): boolean {
  const first = values[0]
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false
  return true
}

describe('HDF5-REST reads are consistent snapshots', () => {
  it('concurrent clients never see a frame half-updated by the writer', async () => {
    const publish = {
      frame: new Float64Array(N),
      rows: Array.from({ length: 64 }, () => new Float32Array(256)),
    }
    const url = await listen(publish)
    startWriter(publish)
    const seen = new Set<number>()
    const client = async (i: number) => {
      for (let k = 0; k < 6; k++) {
        const frame = i % 2 === 0
        const res = await fetch(`${url}/datasets/${frame ? FRAME_ID : ROWS_ID}/value`, {
          headers: {
            accept: 'application/octet-stream',
            'accept-encoding': k % 2 ? 'gzip' : 'identity',
          },
        })
        expect(res.status).toBe(200)
        const buf = new Uint8Array(await res.arrayBuffer())
        const values = frame
          ? new Float64Array(buf.buffer, 0, N)
          : new Float32Array(buf.buffer, 0, 64 * 256)
        expect(values.length).toBe(frame ? N : 64 * 256)
        expect(allEqual(values)).toBe(true)
        seen.add(values[0] as number)
      }
    }
    await Promise.all([0, 1, 2, 3].map(client))
    // The writer really ran between reads: the clients saw many different states.
    expect(seen.size).toBeGreaterThan(3)
  })

  it('a stalled client blocks neither the writer nor other readers, and gets its snapshot intact', async () => {
    const publish = { frame: new Float64Array(N), rows: [] as Float32Array[] }
    const url = await listen(publish)
    const writer = startWriter(publish)
    const { port } = new URL(url)
    // Open a read and stop consuming it after the first chunk.
    const chunks: Buffer[] = []
    const slow = request({
      host: '127.0.0.1',
      port: Number(port),
      path: `/datasets/${FRAME_ID}/value`,
      headers: { accept: 'application/octet-stream' },
    })
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      slow.on('response', resolve).on('error', reject).end()
    })
    await new Promise<void>((resolve) =>
      response.once('data', (c: Buffer) => {
        chunks.push(c)
        response.pause()
        resolve()
      }),
    )
    const turnsWhenStalled = writer.turns
    // The writer keeps turning and another client is served while the slow one holds its reply.
    await vi.waitFor(() => expect(writer.turns).toBeGreaterThan(turnsWhenStalled + 100))
    const other = await fetch(`${url}/datasets/${FRAME_ID}/value`, {
      headers: { accept: 'application/octet-stream' },
    })
    const otherValues = new Float64Array(await other.arrayBuffer())
    expect(allEqual(otherValues)).toBe(true)
    expect(otherValues[0]).toBeGreaterThan(turnsWhenStalled)
    // Now drain the stalled reply: every element is the one value it had when it was read.
    response.on('data', (c: Buffer) => chunks.push(c))
    await new Promise<void>((resolve) => {
      response.on('end', resolve)
      response.resume()
    })
    const body = Buffer.concat(chunks)
    const values = new Float64Array(body.buffer, body.byteOffset, body.byteLength / 8)
    expect(values.length).toBe(N)
    expect(allEqual(values)).toBe(true)
    expect(values[0]).toBeLessThanOrEqual(turnsWhenStalled)
  })
})
