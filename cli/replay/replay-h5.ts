import { resolve } from 'node:path'
import { writePublishH5 } from '../../reducer/index.js'
import type { ReplayReport } from './run-replay.js'

/**
 * `replay --h5 <file>`: write the replay's final `publish` and its parameters as an HDF5 file
 * (the reducer's file format, docs/results-api.md); warns on stderr about parts left out.
 * Resolves the absolute path written.
 * @throws BeamloomError `CONFIG_INVALID` when the file cannot be created.
 */
export async function writeReplayH5(file: string, report: ReplayReport): Promise<string> {
  const path = resolve(file)
  const written = await writePublishH5(report.publish, path, { parameters: report.parameters })
  for (const s of written.skipped) process.stderr.write(`warning: HDF5 file: left out ${s}\n`)
  return path
}
