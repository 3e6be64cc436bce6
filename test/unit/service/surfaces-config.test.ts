import { describe, expect, it } from 'vitest'
import { parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'
import { parseReducerEnv } from '../../../reducer/index.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'

describe('config of the metrics servers and the update stream', () => {
  it('reads WORKER_METRICS_PORT (off by default, 0 allowed) and rejects a bad one by name', () => {
    const base = { WORKER_MODULE: 'a.ts:A' }
    expect(parseWorkerEnv(base).worker.metricsPort).toBeUndefined()
    expect(parseWorkerEnv({ ...base, WORKER_METRICS_PORT: '0' }).worker.metricsPort).toBe(0)
    expect(parseWorkerEnv({ ...base, WORKER_METRICS_PORT: '9102' }).worker).toMatchObject({
      metricsPort: 9102,
      metricsHost: '0.0.0.0',
    })
    expect(() => parseWorkerEnv({ ...base, WORKER_METRICS_PORT: '70000' })).toThrow(
      /WORKER_METRICS_PORT/,
    )
  })

  it('reads INGESTER_METRICS_PORT (off by default, 0 allowed)', () => {
    const base = { INGESTER_STREAMS: 'eiger' }
    expect(parseIngesterEnv(base).config.metricsPort).toBeUndefined()
    expect(parseIngesterEnv({ ...base, INGESTER_METRICS_PORT: '0' }).config.metricsPort).toBe(0)
    expect(parseIngesterEnv({ ...base, INGESTER_METRICS_PORT: '9103' }).config.metricsPort).toBe(
      9103,
    )
    expect(() => parseIngesterEnv({ ...base, INGESTER_METRICS_PORT: '-1' })).toThrow(
      /INGESTER_METRICS_PORT/,
    )
  })

  it('reads REDUCER_UPDATES_THROTTLE_MS (default 200)', () => {
    const base = { REDUCER_MODULE: 'r.ts:R' }
    expect(parseReducerEnv(base).reducer.updatesThrottleMs).toBe(200)
    expect(
      parseReducerEnv({ ...base, REDUCER_UPDATES_THROTTLE_MS: '50' }).reducer.updatesThrottleMs,
    ).toBe(50)
    expect(() => parseReducerEnv({ ...base, REDUCER_UPDATES_THROTTLE_MS: '0' })).toThrow(
      /REDUCER_UPDATES_THROTTLE_MS/,
    )
  })
})
