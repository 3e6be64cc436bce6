import { resolve } from 'node:path'
import { type ScanMetadata, writePublishH5 } from '../../reducer/index.js'
import type { CaptureSource } from './capture-flag.js'
import type { H5Source } from './h5-source.js'
import type { ReplayLive, ReplayReport } from './run-replay.js'

/** The sources of a replay, as `beamloom replay` was given them. */
export interface ReplaySources {
  readonly files: readonly string[]
  readonly captures: readonly CaptureSource[]
  readonly fromH5: readonly H5Source[]
  readonly source?: string | undefined
}

/** One line per source: what was replayed, files as absolute paths. Pure but for `resolve`. */
export function replaySourceLines(s: ReplaySources): string[] {
  return [
    ...s.files.map((f) => `recording ${resolve(f)}`),
    ...s.captures.map((c) => `capture of ${c.protocol} stream ${c.stream}: ${resolve(c.file)}`),
    ...s.fromH5.map(
      (h) =>
        `hdf5 ${resolve(h.file)}${h.dataset === undefined ? '' : `:${h.dataset}`} as stream ${h.stream}`,
    ),
    ...(s.source === undefined ? [] : [`source class ${s.source}`]),
  ]
}

/**
 * What a replay's results record about how they were made (docs/results-api.md): the
 * modules and their hashes, the parameters, the sources, start and end, and the end state —
 * `running` while it replays, `finished`, or `stopped` when `--fail-fast` ended it early.
 */
export function replayMetadata(
  sources: ReplaySources,
  startedAt: Date,
  run: ReplayLive | ReplayReport | undefined,
  ended?: { readonly at: Date; readonly report: ReplayReport },
): ScanMetadata {
  const report = ended?.report
  return {
    scanName: 'beamloom replay',
    status: report === undefined ? 'running' : report.stoppedEarly ? 'stopped' : 'finished',
    ...(report?.stoppedEarly === true
      ? { reason: 'stopped at the first failure in user code (--fail-fast)' }
      : {}),
    startTime: startedAt.toISOString(),
    ...(ended === undefined ? {} : { endTime: ended.at.toISOString() }),
    workers: run === undefined ? [] : [run.worker],
    reducer: run?.reducer,
    parameters: run?.parameters,
    sources: replaySourceLines(sources),
    events: run?.events,
    failedEvents: run?.failedEvents,
  }
}

/**
 * `replay --h5 <file>`: write the replay's final `publish` as a NeXus HDF5 file (the reducer's
 * file format, docs/results-api.md) with its metadata; warns on stderr about parts left out.
 * Resolves the absolute path written.
 * @throws BeamloomError `CONFIG_INVALID` when the file cannot be created.
 */
export async function writeReplayH5(
  file: string,
  report: ReplayReport,
  metadata: ScanMetadata,
): Promise<string> {
  const path = resolve(file)
  const written = await writePublishH5(report.publish, path, { metadata })
  for (const s of written.skipped) process.stderr.write(`warning: HDF5 file: left out ${s}\n`)
  return path
}
