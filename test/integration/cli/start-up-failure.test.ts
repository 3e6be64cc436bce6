import { randomUUID } from 'node:crypto'
import { pino } from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { startUp } from '../../../cli/up/start-up.js'
import { parseUpSpec } from '../../../cli/up/up-spec.js'
import { createRedisControlPlane, ProcessEvent, parseControlJson } from '../../../src/internal.js'
import { repoPath } from '../../harness/fixtures.js'
import { REDIS_URL } from '../control/redis-harness.js'

const prefix = `up-fail-${randomUUID().slice(0, 8)}`
const plane = createRedisControlPlane({ url: REDIS_URL, keyPrefix: prefix })

afterAll(async () => {
  await plane.del(await plane.scan(plane.keys.allPattern()))
  await plane.close()
})

describe('beamloom up when a part fails to start', () => {
  it('closes the parts already started (they leave the registry), then rejects with the error', async () => {
    await plane.start()
    const spec = parseUpSpec(
      {
        worker: `${repoPath('workers/examples')}/no-such-analysis.ts:Missing`,
        reducer: `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`,
        workers: 1,
        workerThreads: false,
        simulate: [{ device: 'stins', stream: 'cam', frames: 4 }],
        redis: REDIS_URL,
        keyPrefix: prefix,
        port: 0,
        reducerPort: 0,
      },
      'test',
    )
    // The workers start after the controller and the reducer: the worker's module is missing.
    await expect(startUp(spec, { logger: pino({ level: 'silent' }) })).rejects.toMatchObject({
      code: 'MODULE_NOT_FOUND',
    })
    const events = await plane.xrange(plane.keys.processEvents())
    const seen = events
      .map((e) => parseControlJson(ProcessEvent, e.fields.get('e'), 'process event'))
      .filter((e) => e.type !== 'updated')
      .map((e) => `${e.type} ${e.role}`)
    // Started, then closed in reverse order: nothing of the failed start is left registered.
    expect(seen).toEqual(['joined controller', 'joined reducer', 'left reducer', 'left controller'])
    expect(await plane.scan(plane.keys.processesPattern())).toEqual([])
  }, 30_000)
})
