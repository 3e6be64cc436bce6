import { randomUUID } from 'node:crypto'
import type { ControlPlane } from '../../../src/control/control-plane.js'
import { createRedisControlPlane } from '../../../src/control/redis-control-plane.js'
import type { ContractHarness } from '../../unit/control/contract/harness.js'

/** The Redis the integration tests use. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A harness on real Redis with a unique key prefix; cleanup deletes every key under it. */
export async function redisHarness(): Promise<ContractHarness> {
  const prefix = `test-${randomUUID().slice(0, 12)}`
  const planes: ControlPlane[] = []
  const used = new Set<string>([prefix])
  const create = (p = prefix): ControlPlane => {
    used.add(p)
    const plane = createRedisControlPlane({ url: REDIS_URL, keyPrefix: p, connectTimeoutMs: 5_000 })
    planes.push(plane)
    return plane
  }
  const connect = async (p?: string): Promise<ControlPlane> => {
    const plane = create(p)
    await plane.start()
    return plane
  }
  return {
    prefix,
    create,
    connect,
    elapse: () => {},
    pollTimeoutMs: 5_000,
    cleanup: async () => {
      await Promise.all(planes.map((p) => p.close()))
      for (const p of used) {
        const sweeper = createRedisControlPlane({ url: REDIS_URL, keyPrefix: p })
        await sweeper.start()
        await sweeper.del(await sweeper.scan(sweeper.keys.allPattern()))
        await sweeper.close()
      }
    },
  }
}
