import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runReplay } from '../../cli/replay/run-replay.js'
import { startUp } from '../../cli/up/start-up.js'
import { parseUpSpec } from '../../cli/up/up-spec.js'
import { createRawCaptureWriter, readRecording, toJsonValue } from '../../src/internal.js'
import { fixturePath, repoPath } from '../harness/fixtures.js'

const WORKER = `${repoPath('workers/examples/roi-mean.ts')}:RoiMeanWorker`
const REDUCER = `${repoPath('reducer/examples/roi-mean.ts')}:RoiMeanReducer`

describe('beamloom up: a live scan in one process', () => {
  it('gives what replay gives for the same frames, through simulator, ingester, 3 workers and reducer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beamloom-up-'))
    // The recording's STINS messages, one per event, as the detector sent them.
    const capture = join(dir, 'xrd.raw.cbors')
    const writer = await createRawCaptureWriter(capture)
    for await (const msg of readRecording(fixturePath('dump_xrd.cbors'))) {
      await writer.write(msg.streams.xrd?.frames ?? [])
    }
    await writer.close()
    const params = join(dir, 'params.json')
    await writeFile(params, JSON.stringify([{ name: 'roi', data: '0:2,8:10' }]))

    const replayed = await runReplay({
      worker: WORKER,
      reducer: REDUCER,
      files: [fixturePath('dump_xrd.cbors')],
      parametersFile: params,
    })

    const system = await startUp(
      parseUpSpec(
        {
          worker: WORKER,
          reducer: REDUCER,
          workers: 3,
          simulate: [{ device: 'stins', stream: 'xrd', capture, frames: 9 }],
          parameters: params,
          port: 0,
          reducerPort: 0,
        },
        'test',
      ),
    )
    try {
      const scanId = await system.startScan()
      await system.reducer.scanDone(scanId)
      expect(toJsonValue(system.reducer.publish)).toEqual(toJsonValue(replayed.publish))
      const progress = await (await fetch(`${system.controllerUrl}/api/v1/progress`)).json()
      expect(progress).toMatchObject({ finished: true, total_events: 11, completed_events: 11 })
      const result = await (await fetch(`${system.reducerUrl}/api/v1/result/roi/mean`)).json()
      expect(result).toEqual(
        (toJsonValue(replayed.publish) as { roi: { mean: number[] } }).roi.mean,
      )
    } finally {
      await system.close()
    }
  }, 60_000)
})
