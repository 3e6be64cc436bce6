import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { parseReducerEnv } from '../../../reducer/reducer-env.js'
import {
  advertisedAddress,
  parametersJson as descriptionsToJson,
  parseParameterDescriptions,
} from '../../../src/internal.js'

describe('parseReducerEnv', () => {
  it('applies the defaults', () => {
    const config = parseReducerEnv({ REDUCER_MODULE: 'r.ts:R' })
    expect(config.reducer).toMatchObject({
      name: 'reducer',
      reducerModule: 'r.ts:R',
      bind: 'tcp://127.0.0.1:*',
      httpHost: '127.0.0.1',
      httpPort: 5010,
      snapshotIntervalMs: 200,
      snapshotIdleMs: 10,
    })
    expect(config.controlPlane).toEqual({
      redisUrl: undefined,
      keyPrefix: 'beamloom',
      heartbeatMs: 1000,
      connectTimeoutMs: 10_000,
    })
  })

  it('reads every variable', () => {
    const config = parseReducerEnv({
      REDUCER_MODULE: 'r.ts:R',
      REDUCER_NAME: 'red',
      REDUCER_BIND: 'tcp://0.0.0.0:5011',
      REDUCER_HOST: '0.0.0.0',
      REDUCER_PORT: '0',
      REDUCER_ADVERTISE_HOST: 'node7',
      REDIS_URL: 'redis://r:6379',
    })
    expect(config.reducer).toMatchObject({
      name: 'red',
      bind: 'tcp://0.0.0.0:5011',
      httpHost: '0.0.0.0',
      httpPort: 0,
      advertiseHost: 'node7',
    })
    expect(config.controlPlane.redisUrl).toBe('redis://r:6379')
  })

  it('reads the origins allowed to read across origins (CORS)', () => {
    expect(parseReducerEnv({ REDUCER_MODULE: 'r.ts:R' }).reducer.corsOrigins).toEqual([])
    const config = parseReducerEnv({
      REDUCER_MODULE: 'r.ts:R',
      REDUCER_CORS_ORIGINS: 'https://h5web.example.org, http://localhost:5173',
    })
    expect(config.reducer.corsOrigins).toEqual([
      'https://h5web.example.org',
      'http://localhost:5173',
    ])
    expect(
      parseReducerEnv({ REDUCER_MODULE: 'r.ts:R', REDUCER_CORS_ORIGINS: '*' }).reducer.corsOrigins,
    ).toEqual(['*'])
    expect(() =>
      parseReducerEnv({ REDUCER_MODULE: 'r.ts:R', REDUCER_CORS_ORIGINS: 'https://a.org/path' }),
    ).toThrow(/REDUCER_CORS_ORIGINS/)
  })

  it('names each bad variable', () => {
    expect(() => parseReducerEnv({})).toThrow(/REDUCER_MODULE/)
    expect(() => parseReducerEnv({ REDUCER_MODULE: 'r.ts:R', REDUCER_PORT: '70000' })).toThrow(
      /REDUCER_PORT/,
    )
    expect(() => parseReducerEnv({ REDUCER_MODULE: 'r.ts:R', REDUCER_PORT: 'x' })).toThrow(
      /REDUCER_PORT/,
    )
  })
})

describe('advertisedAddress', () => {
  it('replaces wildcard hosts only, unless told', () => {
    expect(advertisedAddress('tcp://127.0.0.1:4000')).toBe('tcp://127.0.0.1:4000')
    expect(advertisedAddress('tcp://0.0.0.0:4000')).toBe(`tcp://${hostname()}:4000`)
    expect(advertisedAddress('http://[::]:80')).toBe(`http://${hostname()}:80`)
    expect(advertisedAddress('tcp://127.0.0.1:4000', 'node7')).toBe('tcp://node7:4000')
  })
})

describe('descriptionsToJson', () => {
  it('writes binary defaults as base64', () => {
    const descs = parseParameterDescriptions(
      [
        { name: 'mask', dtype: 'binary', default: new Uint8Array([1, 2, 255]) },
        { name: 'roi', dtype: 'str', default: ':,:' },
      ],
      'test',
    )
    const json = descriptionsToJson(descs)
    expect(json).toEqual([
      { name: 'mask', dtype: 'binary', default: 'AQL/' },
      { name: 'roi', dtype: 'str', default: ':,:' },
    ])
    expect(JSON.parse(JSON.stringify(json))).toEqual(json)
  })
})
