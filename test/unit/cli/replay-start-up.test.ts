import { describe, expect, it } from 'vitest'
import { heavyModulesOf } from '../../harness/heavy-modules-of.js'

describe('beamloom replay start-up', () => {
  it('loads no HTTP, Redis, zmq, logging or metrics library, with the scheduling rules it shares with the live worker', async () => {
    // `run-replay.ts` runs events through `runEvents` and friends (src/analysis/call-verdicts.ts),
    // the same code as the live worker and reducer: that code must stay free of the live system.
    // pino is required when a logger is made, which replay does not (issue 14).
    expect(await heavyModulesOf('cli/replay/replay-command.ts')).toEqual([])
    expect(await heavyModulesOf('src/analysis/call-verdicts.ts')).toEqual([])
  }, 60_000)
})
