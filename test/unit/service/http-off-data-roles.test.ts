import { describe, expect, it } from 'vitest'
import { heavyModulesOf } from '../../harness/modules-of.js'

// A worker or a zmq ingester serves no HTTP, so it must not load fastify and the controller:
// every loaded module stays on the heap, and a larger heap makes each of V8's full collections,
// which frames of external memory set off, cost more (BENCHMARKS.md, "Heap size").

describe('roles without HTTP', () => {
  it('do not load fastify: the worker and the ingesters (Sardana loads it when it starts)', async () => {
    expect(await heavyModulesOf('workers/index.ts')).not.toContain('fastify')
    expect(await heavyModulesOf('ingesters/index.ts')).not.toContain('fastify')
    // The reducer serves results over HTTP (the check can fail).
    expect(await heavyModulesOf('reducer/index.ts')).toContain('fastify')
  }, 90_000)
})
