import { randomUUID } from 'node:crypto'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import type { ControlPlane } from '../../../../src/control/control-plane.js'
import { createMemoryControlPlane } from '../../../../src/control/memory-control-plane.js'
import { MemoryStore } from '../../../../src/control/memory-store.js'
import {
  createPortControlPlane,
  serveControlPlane,
} from '../../../../src/control/port-control-plane.js'
import type { ContractHarness } from './harness.js'

/**
 * A harness whose planes are port clients (as `beamloom up`'s worker threads hold), each served
 * by its own in-memory plane over a `MessageChannel`; all share one store with a fake clock.
 */
export async function portHarness(): Promise<ContractHarness> {
  const base = Date.now()
  let offset = 0
  const store = new MemoryStore({ now: () => base + offset })
  const prefix = `t-${randomUUID().slice(0, 8)}`
  const owners: ControlPlane[] = []
  const planes: ControlPlane[] = []
  const ports: MessagePort[] = []
  const stops: (() => void)[] = []
  const create = (p = prefix): ControlPlane => {
    const owner = createMemoryControlPlane({ keyPrefix: p, store })
    owners.push(owner)
    // The owner runs before the client can send anything (a memory plane starts at once).
    void owner.start()
    const { port1, port2 } = new MessageChannel()
    ports.push(port1)
    stops.push(serveControlPlane(owner, port1))
    const plane = createPortControlPlane(port2, p)
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
      for (const stop of stops) stop()
      for (const port of ports) port.close()
      await Promise.all(owners.map((p) => p.close()))
    },
  }
}
