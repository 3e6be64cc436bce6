import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseRedisUrl } from '../../../src/config/redis-url.js'
import { type ControlPlane, STREAM_START } from '../../../src/control/control-plane.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import { REDIS_URL } from './redis-harness.js'
import { closedPort, startTcpProxy, type TcpProxy } from './tcp-proxy.js'

const upstream = parseRedisUrl(REDIS_URL)
const prefix = () => `test-${randomUUID().slice(0, 12)}`

describe('Redis control plane: connection', () => {
  const cleanups: (() => Promise<unknown>)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  const track = (plane: ControlPlane): ControlPlane => {
    cleanups.push(async () => {
      if (plane.state === 'running') await plane.del(await plane.scan(plane.keys.allPattern()))
      await plane.close({ force: true })
    })
    return plane
  }
  const proxied = async (): Promise<TcpProxy> => {
    const proxy = await startTcpProxy(upstream.host, upstream.port)
    cleanups.push(() => proxy.close())
    return proxy
  }

  it('authenticates with user and password from the URL; refuses a wrong password', async () => {
    const admin = new Redis(REDIS_URL)
    const user = `beamloom-test-${randomUUID().slice(0, 8)}`
    const keyPrefix = prefix()
    await admin.call('ACL', 'SETUSER', user, 'on', '>s3cret', `~${keyPrefix}:*`, '+@all')
    cleanups.push(async () => {
      await admin.call('ACL', 'DELUSER', user)
      admin.disconnect()
    })
    const base = `redis://${user}:s3cret@${upstream.host}:${upstream.port}`
    const plane = track(createRedisControlPlane({ url: base, keyPrefix }))
    await plane.start()
    await plane.set(plane.keys.logs(), 'authenticated')
    expect(new TextDecoder().decode(await plane.get(plane.keys.logs()))).toBe('authenticated')

    const wrong = createRedisControlPlane({
      url: `redis://${user}:nope@${upstream.host}:${upstream.port}`,
      keyPrefix,
    })
    const err = await wrong.start().catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' })
    expect(String(err)).not.toContain('nope@')
    expect(await wrong.closed).toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it('fails start with UPSTREAM_CLOSED when nothing answers in time', async () => {
    const port = await closedPort()
    const plane = createRedisControlPlane({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: prefix(),
      connectTimeoutMs: 300,
    })
    await expect(plane.start()).rejects.toMatchObject({ code: 'UPSTREAM_CLOSED' })
    expect(plane.state).toBe('closed')
  })

  it('says once that it keeps trying, and fails naming the URL without its password', async () => {
    const port = await closedPort()
    const retrying: { err: string; url: string; timeoutMs: number }[] = []
    const plane = createRedisControlPlane(
      { url: `redis://u:s3cret@127.0.0.1:${port}`, keyPrefix: prefix(), connectTimeoutMs: 500 },
      { onConnectRetrying: (err, info) => retrying.push({ err: err.message, ...info }) },
    )
    const err = await plane.start().catch((e: unknown) => e)
    const url = `redis://u:***@127.0.0.1:${port}`
    expect(err).toMatchObject({
      code: 'UPSTREAM_CLOSED',
      message: expect.stringContaining(
        `the control plane (Redis at ${url}) was not reachable within 500 ms`,
      ),
    })
    expect(String(err)).not.toContain('s3cret')
    expect(retrying).toEqual([
      { err: expect.stringContaining('ECONNREFUSED'), url, timeoutMs: 500 },
    ])
  })

  it('rides out a dropped connection: commands wait, a blocked read survives', async () => {
    const proxy = await proxied()
    const changes: string[] = []
    const plane = track(
      createRedisControlPlane(
        { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix(), retryMaxMs: 100 },
        { onConnectionChange: (change) => changes.push(change) },
      ),
    )
    await plane.start()
    const direct = track(createRedisControlPlane({ url: REDIS_URL, keyPrefix: plane.keys.prefix }))
    await direct.start()
    const read = plane.xread(plane.keys.logs(), STREAM_START, { timeoutMs: 20_000 })
    proxy.dropConnections()
    await plane.set(plane.keys.parameters(), 'after the drop')
    expect(changes).toEqual(['lost', 'restored'])
    await direct.xadd(direct.keys.logs(), { n: 'x' })
    expect((await read).map((e) => e.id)).toHaveLength(1)
    expect(plane.state).toBe('running')
  })

  it('closes with UPSTREAM_CLOSED when Redis stays unreachable for lostAfterMs', async () => {
    const proxy = await proxied()
    const plane = track(
      createRedisControlPlane({
        url: `redis://127.0.0.1:${proxy.port}`,
        keyPrefix: prefix(),
        lostAfterMs: 300,
        retryMaxMs: 50,
      }),
    )
    await plane.start()
    const pending = plane.get(plane.keys.logs()).catch((e: unknown) => e)
    const blocked = plane.xread(plane.keys.logs(), STREAM_START).catch((e: unknown) => e)
    await proxy.close()
    const err = await plane.closed
    expect(err).toMatchObject({ code: 'UPSTREAM_CLOSED' })
    expect(err?.message).toContain('unreachable for 300 ms')
    expect(plane.state).toBe('closed')
    // What was in flight fails with the same code rather than hanging.
    expect(await blocked).toMatchObject({ code: 'UPSTREAM_CLOSED' })
    const result = await pending
    if (result instanceof Error) expect(result).toMatchObject({ code: 'UPSTREAM_CLOSED' })
  })
  it('ends an aborted blocking read at once, even while its connection is reconnecting', async () => {
    const proxy = await proxied()
    const changes: string[] = []
    const plane = track(
      createRedisControlPlane(
        { url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix(), retryMinMs: 200 },
        { onConnectionChange: (change) => changes.push(change) },
      ),
    )
    await plane.start()
    const abort = new AbortController()
    let settled: unknown
    const read = plane
      .xread(plane.keys.logs(), STREAM_START, { signal: abort.signal })
      .then(
        (r) => r,
        (e: unknown) => e,
      )
      .then((r) => {
        settled = r
      })
    // Redis goes away: every connection, the blocking one too, is reconnecting.
    await proxy.close()
    await vi.waitFor(() => expect(changes).toContain('lost'))
    abort.abort(new Error('scan closed'))
    await vi.waitFor(() => expect(settled).toBeInstanceOf(Error), { timeout: 2_000 })
    expect(settled).toMatchObject({ message: 'scan closed' })
    await read
    expect(plane.state).toBe('running')
    // Redis is still gone: nothing to clean up there.
    await plane.close({ force: true })
  })
})
