import { describe, expect, it } from 'vitest'
import { parseWorkerConfig, parseWorkerEnv } from '../../../workers/worker-config.js'

describe('worker config', () => {
  it('reads env with defaults from the schema', () => {
    const c = parseWorkerEnv({ WORKER_MODULE: 'a.ts:W' })
    expect(c.worker).toMatchObject({
      workerModule: 'a.ts:W',
      tags: ['generic'],
      windowEvents: 64,
      maxWindowEvents: 2048,
      flushItems: 64,
      flushIdleMs: 0,
      heartbeatMs: 1000,
    })
    expect(c.worker.name).toMatch(/-\d+$/)
    expect(c.controlPlane).toEqual({
      redisUrl: undefined,
      keyPrefix: 'beamloom',
      heartbeatMs: 1000,
      connectTimeoutMs: 10_000,
    })
  })

  it('reads name, tags, window and the shared control-plane variables', () => {
    const c = parseWorkerEnv({
      WORKER_MODULE: 'a.ts:W',
      WORKER_NAME: 'w7',
      WORKER_TAGS: 'gpu, fast',
      WORKER_WINDOW_EVENTS: '16',
      WORKER_MAX_WINDOW_EVENTS: '128',
      REDIS_URL: 'redis://r:6379',
      REDIS_KEY_PREFIX: 'bl',
      HEARTBEAT_MS: '500',
    })
    expect(c.worker).toMatchObject({
      name: 'w7',
      tags: ['gpu', 'fast'],
      windowEvents: 16,
      maxWindowEvents: 128,
      heartbeatMs: 500,
    })
    expect(c.controlPlane).toEqual({
      redisUrl: 'redis://r:6379',
      keyPrefix: 'bl',
      heartbeatMs: 500,
      connectTimeoutMs: 10_000,
    })
  })

  it('names each bad variable', () => {
    expect(() => parseWorkerEnv({})).toThrow(/WORKER_MODULE/)
    expect(() => parseWorkerEnv({ WORKER_MODULE: 'a.ts', WORKER_WINDOW_EVENTS: 'x' })).toThrow(
      /WORKER_WINDOW_EVENTS/,
    )
    expect(() => parseWorkerEnv({ WORKER_MODULE: 'a.ts', WORKER_TAGS: 'a,,b' })).toThrow(
      /WORKER_TAGS/,
    )
    expect(() => parseWorkerEnv({ WORKER_MODULE: 'a.ts', WORKER_NAME: 'x'.repeat(300) })).toThrow(
      /WORKER_NAME/,
    )
    expect(() => parseWorkerEnv({ WORKER_MODULE: 'a.ts', HEARTBEAT_MS: '-1' })).toThrow(
      /CONFIG|HEARTBEAT_MS/,
    )
  })

  it('createWorker input is strict', () => {
    expect(() => parseWorkerConfig({ workerModule: 'a.ts', windowEvent: 3 } as never)).toThrow(
      /windowEvent/,
    )
    expect(parseWorkerConfig({ workerModule: 'a.ts', name: 'n' }).windowEvents).toBe(64)
  })
})
