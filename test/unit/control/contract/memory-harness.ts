import { randomUUID } from 'node:crypto'
import type { ControlPlane } from '../../../../src/control/control-plane.js'
import { createMemoryControlPlane } from '../../../../src/control/memory-control-plane.js'
import { MemoryStore } from '../../../../src/control/memory-store.js'
import type { ContractHarness } from './harness.js'

/** A harness over one shared memory store with a fake clock (starts at the real time). */
export async function memoryHarness(): Promise<ContractHarness> {
  const base = Date.now()
  let offset = 0
  const store = new MemoryStore({ now: () => base + offset })
  const prefix = `t-${randomUUID().slice(0, 8)}`
  const planes: ControlPlane[] = []
  const create = (p = prefix): ControlPlane => {
    const plane = createMemoryControlPlane({ keyPrefix: p, store })
    planes.push(plane)
    return plane
  }
  return {
    prefix,
    create,
    connect: async (p) => {
      const plane = create(p)
      await plane.start()
      return plane
    },
    elapse: (ms) => {
      offset += ms
    },
    pollTimeoutMs: 2_000,
    cleanup: async () => {
      await Promise.all(planes.map((p) => p.close()))
    },
  }
}
