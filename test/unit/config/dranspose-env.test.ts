import { describe, expect, it } from 'vitest'
import { parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'
import { applyDransposeEnv, DRANSPOSE_ENV_ALIASES } from '../../../src/config/dranspose-env.js'
import { parseLogEnv } from '../../../src/config/log-env.js'
import { parseWorkerEnv } from '../../../workers/worker-config.js'

describe('Dranspose env names as aliases', () => {
  it('reads a worker configured the Dranspose way', () => {
    const env = applyDransposeEnv(
      {
        REDIS_DSN: 'redis://redis.example:6380/2',
        WORKER_CLASS: 'src/worker.ts:FluorescenceWorker',
        WORKER_NAME: 'w7',
        WORKER_TAGS: '["generic", "gpu"]',
      },
      'worker',
    )
    const config = parseWorkerEnv(env)
    expect(config.worker.workerModule).toBe('src/worker.ts:FluorescenceWorker')
    expect(config.worker.name).toBe('w7')
    expect(config.worker.tags).toEqual(['generic', 'gpu'])
    expect(config.controlPlane.redisUrl).toBe('redis://redis.example:6380/2')
  })

  it('reads an ingester configured the Dranspose way (chart and settings names)', () => {
    const env = applyDransposeEnv(
      {
        SERVICE_REDIS_DSN: 'redis://r:6379/0',
        INGESTER_STREAMS: '["eiger","orca"]',
        INGESTER_URL: 'tcp://ns-ingester-eiger:10010',
        UPSTREAM_URL: 'tcp://det.example:9999',
        DUMP_PATH: '/data/staff/dumps/eiger.cbors',
      },
      'ingester',
    )
    const { config, upstreamUrl } = parseIngesterEnv(env)
    expect(config.streams).toEqual(['eiger', 'orca'])
    expect(config.bind).toBe('tcp://*:10010')
    expect(config.advertiseHost).toBe('ns-ingester-eiger')
    expect(upstreamUrl).toBe('tcp://det.example:9999')
    expect(config.dumpPath).toBe('/data/staff/dumps/eiger.cbors')
    expect(config.dumpDir).toBe('/data/staff/dumps')
    expect(env.REDIS_URL).toBe('redis://r:6379/0')
  })

  it('reads a reducer and a controller configured the Dranspose way', () => {
    const reducer = parseReducerEnv(
      applyDransposeEnv(
        { REDUCER_CLASS: 'src/reducer.ts:R', REDUCER_URL: 'tcp://ns-reducer:10010' },
        'reducer',
      ),
    )
    expect(reducer.reducer.reducerModule).toBe('src/reducer.ts:R')
    expect(reducer.reducer.bind).toBe('tcp://*:10010')
    expect(reducer.reducer.advertiseHost).toBe('ns-reducer')
    // LOG_LEVEL is beamloom's name too, read by every command with Python's level names.
    expect(applyDransposeEnv({ LOG_LEVEL: 'WARNING' }, 'controller').LOG_LEVEL).toBe('WARNING')
    expect(parseLogEnv({ LOG_LEVEL: 'WARNING' }, 'controller').level).toBe('warn')
  })

  it("lets beamloom's own names win and leaves other roles' settings alone", () => {
    const env = applyDransposeEnv(
      {
        REDIS_URL: 'redis://own:6379',
        REDIS_DSN: 'redis://dranspose:6379',
        WORKER_CLASS: 'a.ts:A',
        WORKER_MODULE: 'b.ts:B',
        REDUCER_CLASS: 'r.ts:R',
        LOG_LEVEL: 'DEBUG',
      },
      'worker',
    )
    expect(env.REDIS_URL).toBe('redis://own:6379')
    expect(env.WORKER_MODULE).toBe('b.ts:B')
    expect(env.REDUCER_MODULE).toBeUndefined()
    expect(env.LOG_LEVEL).toBe('DEBUG')
  })

  it('takes REDIS_DSN before SERVICE_REDIS_DSN and keeps comma lists as they are', () => {
    const env = applyDransposeEnv(
      { SERVICE_REDIS_DSN: 'redis://second:1', REDIS_DSN: 'redis://first:1', WORKER_TAGS: 'a,b' },
      'worker',
    )
    expect(env.REDIS_URL).toBe('redis://first:1')
    expect(env.WORKER_TAGS).toBe('a,b')
  })

  it('refuses values it cannot read, naming the variable', () => {
    expect(() => applyDransposeEnv({ INGESTER_STREAMS: '["eiger"' }, 'ingester')).toThrow(
      /INGESTER_STREAMS/,
    )
    expect(() => applyDransposeEnv({ WORKER_TAGS: '[1, 2]' }, 'worker')).toThrow(/WORKER_TAGS/)
    expect(() => applyDransposeEnv({ REDUCER_URL: 'http://x:1' }, 'reducer')).toThrow(/REDUCER_URL/)
    expect(() => parseLogEnv({ LOG_LEVEL: 'LOUD' }, 'controller')).toThrow(/LOG_LEVEL/)
  })

  it('documents every alias in docs/configuration.md', async () => {
    const { readFile } = await import('node:fs/promises')
    const doc = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
    for (const alias of DRANSPOSE_ENV_ALIASES) {
      expect(doc, alias.dranspose).toContain(`| \`${alias.dranspose}\``)
      for (const name of alias.beamloom) expect(doc, name).toContain(`\`${name}\``)
    }
  })
})
