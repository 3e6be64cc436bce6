import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { benchNodeFlags } from '../../../bench/live-cluster.js'
import {
  DATA_PATH_NODE_FLAGS,
  DATA_PATH_ROLES,
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
})
