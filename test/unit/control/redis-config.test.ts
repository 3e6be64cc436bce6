import { describe, expect, it } from 'vitest'
import { parseRedisUrl, redactRedisUrl } from '../../../src/config/redis-url.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import {
  ioredisOptions,
  RedisControlPlaneOptions,
  reconnectDelayMs,
} from '../../../src/control/redis-options.js'
import { compareStreamIds, parseStreamId } from '../../../src/control/stream-id.js'

describe('parseRedisUrl', () => {
  it('reads host, port, db, credentials and TLS', () => {
    expect(parseRedisUrl('redis://localhost')).toEqual({
      host: 'localhost',
      port: 6379,
      username: undefined,
      password: undefined,
      db: 0,
      tls: false,
    })
    expect(parseRedisUrl('rediss://user:p%40ss%3Aw@redis.example:6380/2')).toEqual({
      host: 'redis.example',
      port: 6380,
      username: 'user',
      password: 'p@ss:w',
      db: 2,
      tls: true,
    })
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toMatchObject({
      host: '::1',
      password: 'secret',
      username: undefined,
    })
  })

  it('refuses other schemes, bad db, queries; never shows the password', () => {
    for (const bad of [
      'http://x',
      'redis://x/db1',
      'redis://x?tls=1',
      'nonsense',
      'redis://:s3cret@x/a',
    ]) {
      let message = ''
      try {
        parseRedisUrl(bad)
      } catch (err) {
        expect(err).toMatchObject({ code: 'CONFIG_INVALID' })
        message = (err as Error).message
      }
      expect(message).not.toBe('')
      expect(message).not.toContain('s3cret')
    }
    expect(redactRedisUrl('rediss://u:s3cret@h:1/0')).toBe('rediss://u:***@h:1/0')
  })
})

describe('Redis control plane options', () => {
  it('applies defaults and builds ioredis options with TLS and credentials', () => {
    const options = RedisControlPlaneOptions.parse({
      url: 'rediss://u:pw@redis.example:6380/1',
      tls: { ca: 'PEM' },
    })
    expect(options.keyPrefix).toBe('beamloom')
    const io = ioredisOptions(options)
    expect(io).toMatchObject({
      host: 'redis.example',
      port: 6380,
      db: 1,
      username: 'u',
      password: 'pw',
      tls: { ca: 'PEM', servername: 'redis.example' },
      maxRetriesPerRequest: null,
    })
    expect(ioredisOptions(RedisControlPlaneOptions.parse({ url: 'redis://h' })).tls).toBeUndefined()
    expect(
      ioredisOptions(RedisControlPlaneOptions.parse({ url: 'rediss://10.0.0.1' })).tls,
    ).toEqual({})
  })

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4, 10, 1000].map((n) => reconnectDelayMs(n, 50, 1000))).toEqual([
      50, 100, 200, 400, 1000, 1000,
    ])
  })

  it('refuses invalid options before any socket opens (CONFIG_INVALID)', () => {
    expect(() => createRedisControlPlane({ url: 'redis://:s3cret@h', keyPrefix: 'a:b' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => createRedisControlPlane({ url: 'redis://:s3cret@h/x' })).toThrow(
      expect.not.stringContaining('s3cret'),
    )
  })
})

describe('stream ids', () => {
  it('compares numerically, not as text', () => {
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0)
    expect(compareStreamIds('5-10', '5-9')).toBeGreaterThan(0)
    expect(parseStreamId('7')).toEqual({ ms: 7, seq: 0 })
    expect(() => parseStreamId('x-1')).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })
})
