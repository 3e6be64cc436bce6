import { describe, expect, it } from 'vitest'
import { heavyModulesOf, loadedFilesOf } from '../../harness/modules-of.js'

describe('beamloom replay start-up', () => {
  it('loads no HTTP, Redis, zmq, logging or metrics library, with the scheduling rules it shares with the live worker', async () => {
    // `run-replay.ts` runs events through `runEvents` and friends (src/analysis/call-verdicts.ts),
    // the same code as the live worker and reducer: that code must stay free of the live system.
    // pino is required when a logger is made, which replay does not (issue 14).
    expect(await heavyModulesOf('cli/replay/replay-command.ts')).toEqual([])
    expect(await heavyModulesOf('src/analysis/call-verdicts.ts')).toEqual([])
  }, 60_000)
})

describe('beamloom replay start-up, engine modules', () => {
  it('loads the Python runners and sources and the HDF5 reader only when a replay uses them', async () => {
    // src/analysis-runtime-lazy.ts (issue 14: about 40 ms of a 0.4 s budget).
    const files = await loadedFilesOf('cli/replay/replay-command.ts')
    expect(files).toContain('src/analysis-runtime.ts')
    expect(
      files.filter((f) => /^src\/(analysis\/python|codec\/hdf5)\/|-lazy\.ts$/.test(f)),
    ).toEqual([])
  }, 60_000)
})
