import { describe, expect, it } from 'vitest'
import { heavyModulesOf } from '../../harness/modules-of.js'

describe("'beamloom/analysis', the entry for analysis modules", () => {
  it('loads none of the live system: no HTTP, Redis, zmq, logging or metrics library', async () => {
    expect(await heavyModulesOf('src/analysis.ts')).toEqual([])
    // The package's entry does (the check can fail).
    expect(await heavyModulesOf('src/index.ts')).toEqual([
      'fastify',
      'ioredis',
      'pino',
      'prom-client',
      'zeromq',
    ])
  }, 60_000)

  it("is part of the public API: every name is 'beamloom''s, the same object", async () => {
    // Loaded as plain records: each of the entry's names is looked up in the other.
    const light: Record<string, unknown> = { ...(await import('../../../src/analysis.js')) }
    const whole: Record<string, unknown> = { ...(await import('../../../src/index.js')) }
    const names = Object.keys(light)
    expect(names.length).toBeGreaterThan(40)
    for (const name of names) expect(whole[name], name).toBe(light[name])
    // Importing the whole engine through the test's transformer takes seconds on a busy machine.
  }, 60_000)

  it('is exported by the package as beamloom/analysis', async () => {
    const pkg = (await import('../../../package.json', { with: { type: 'json' } })).default as {
      exports: Record<string, { default: string }>
    }
    expect(pkg.exports['./analysis']?.default).toBe('./dist/src/analysis.js')
  })
})
