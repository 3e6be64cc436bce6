import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { benchDataPathEnv, benchNodeFlags } from '../../../bench/live-cluster.js'
import {
  DATA_PATH_ENV,
  DATA_PATH_NODE_FLAGS,
  DATA_PATH_ROLES,
  missingDataPathEnv,
  missingDataPathFlags,
} from '../../../src/config/data-path-flags.js'
import { CHART_DIR } from '../../harness/helm-render.js'

describe('node flags of the roles that move frames', () => {
  it('are --single-threaded-gc for workers and ingesters', () => {
    expect(DATA_PATH_NODE_FLAGS).toEqual(['--single-threaded-gc'])
    expect([...DATA_PATH_ROLES].sort()).toEqual(['ingester', 'worker'])
  })

  it('are named when a worker or an ingester runs without them', () => {
    expect(missingDataPathFlags('worker', [])).toEqual(['--single-threaded-gc'])
    expect(missingDataPathFlags('ingester', ['--enable-source-maps'])).toEqual([
      '--single-threaded-gc',
    ])
    expect(missingDataPathFlags('worker', ['--single-threaded-gc'])).toEqual([])
    expect(missingDataPathFlags('controller', [])).toEqual([])
    expect(missingDataPathFlags('reducer', [])).toEqual([])
  })

  it('are the Helm chart default', () => {
    const values = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'))
    expect(values.dataPathNodeFlags).toEqual(DATA_PATH_NODE_FLAGS)
  })

  it('start the bench cluster as a deployment would, unless the bench is told otherwise', () => {
    for (const role of ['worker', 'ingester']) {
      expect(benchNodeFlags(role, {})).toEqual(DATA_PATH_NODE_FLAGS)
      expect(benchNodeFlags(role, { BENCH_DATA_PATH_FLAGS: '' })).toEqual([])
      expect(benchNodeFlags(role, { BENCH_DATA_PATH_FLAGS: '--max-semi-space-size=64' })).toEqual([
        '--max-semi-space-size=64',
      ])
    }
    for (const role of ['controller', 'reducer']) {
      expect(benchNodeFlags(role, {})).toEqual([])
      expect(benchNodeFlags(role, { BENCH_NODE_FLAGS: '--trace-gc  --expose-gc' })).toEqual([
        '--trace-gc',
        '--expose-gc',
      ])
    }
    expect(benchNodeFlags('worker', { BENCH_NODE_FLAGS: '--trace-gc' })).toEqual([
      ...DATA_PATH_NODE_FLAGS,
      '--trace-gc',
    ])
  })

  describe("and their environment (glibc's allocator)", () => {
    it('keeps blocks below 32 MiB in the heap and trims it beyond 256 MiB free', () => {
      expect(DATA_PATH_ENV).toEqual({
        MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20),
        MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20),
      })
    })

    it('is named when a worker or an ingester runs without it', () => {
      const all = Object.entries(DATA_PATH_ENV).map(([n, v]) => `${n}=${v}`)
      expect(missingDataPathEnv('worker', {})).toEqual(all)
      expect(missingDataPathEnv('ingester', { MALLOC_MMAP_THRESHOLD_: '1' })).toEqual([
        `MALLOC_TRIM_THRESHOLD_=${DATA_PATH_ENV.MALLOC_TRIM_THRESHOLD_}`,
      ])
      expect(missingDataPathEnv('worker', { ...DATA_PATH_ENV })).toEqual([])
      // The same settings as tunables count as set.
      expect(
        missingDataPathEnv('worker', {
          GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1',
        }),
      ).toEqual([])
      expect(
        missingDataPathEnv('worker', { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432' }),
      ).toEqual([`MALLOC_TRIM_THRESHOLD_=${DATA_PATH_ENV.MALLOC_TRIM_THRESHOLD_}`])
      expect(missingDataPathEnv('worker', { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' })).toEqual(
        all,
      )
      expect(missingDataPathEnv('controller', {})).toEqual([])
      expect(missingDataPathEnv('reducer', {})).toEqual([])
    })

    it('is given to the bench cluster as a deployment would, unless the bench is told otherwise', () => {
      for (const role of ['worker', 'ingester']) {
        expect(benchDataPathEnv(role, {})).toEqual(DATA_PATH_ENV)
        expect(benchDataPathEnv(role, { BENCH_DATA_PATH_ENV: '' })).toEqual({})
        expect(benchDataPathEnv(role, { BENCH_DATA_PATH_ENV: 'MALLOC_TOP_PAD_=1 A=b=c' })).toEqual({
          MALLOC_TOP_PAD_: '1',
          A: 'b=c',
        })
        // What the bench itself runs with is left alone.
        expect(benchDataPathEnv(role, { MALLOC_MMAP_THRESHOLD_: '7' })).toEqual({
          MALLOC_TRIM_THRESHOLD_: DATA_PATH_ENV.MALLOC_TRIM_THRESHOLD_,
        })
        expect(() => benchDataPathEnv(role, { BENCH_DATA_PATH_ENV: 'nonsense' })).toThrow(
          /NAME=value/,
        )
      }
      expect(benchDataPathEnv('controller', {})).toEqual({})
      expect(benchDataPathEnv('reducer', {})).toEqual({})
    })
  })
})
