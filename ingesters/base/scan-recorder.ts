import {
  createRecordingWriter,
  eventNumber,
  isBeamloomError,
  type RecordingWriter,
  type StreamData,
} from '../../src/internal.js'
import { planDumpTarget, prepareDumpTarget } from './dump-path.js'
import type { PlanStream } from './forward-plan.js'

/** What {@link openScanRecorder} needs. */
export interface ScanRecorderOptions {
  readonly dumpDir: string | undefined
  readonly dumpPath: string | undefined
  /** The `dump_prefix` parameter's value (UTF-8), if set. */
  readonly prefix: string | undefined
  readonly ingesterName: string
  readonly scanId: string
  readonly streams: readonly PlanStream[]
}

/** Records what an ingester reads in one scan as Dranspose `.cbors` worker messages. */
export interface ScanRecorder {
  readonly path: string
  readonly recordsWritten: number
  /** Record one event's frames (`frames[s]` per stream index; missing streams are left out). */
  write(event: number, frames: readonly (readonly Uint8Array[] | undefined)[]): Promise<void>
  close(): Promise<void>
}

/**
 * Open the recording of one scan when the config or the `dump_prefix` parameter asks for one
 * (`undefined` otherwise). Rejects with `CONFIG_INVALID` when the path is refused (outside the
 * dump directory, or none configured) and with the fs error when the file cannot be opened.
 */
export async function openScanRecorder(
  options: ScanRecorderOptions,
): Promise<ScanRecorder | undefined> {
  const target = planDumpTarget(options)
  if (target === undefined) return undefined
  await prepareDumpTarget(options.dumpDir ?? '', target)
  const writer: RecordingWriter = await createRecordingWriter(target.path, {
    append: target.append,
  })
  const { streams } = options
  return {
    path: target.path,
    get recordsWritten() {
      return writer.recordsWritten
    },
    write: (event, frames) => {
      const data: Record<string, StreamData> = {}
      streams.forEach((stream, s) => {
        const parts = frames[s]
        if (parts !== undefined) data[stream.name] = { typ: stream.typ, frames: parts }
      })
      return writer.write({ eventNumber: eventNumber(event), streams: data, createdAt: new Date() })
    },
    close: () => writer.close(),
  }
}

/** Whether an error from {@link openScanRecorder} is a refused path (not an fs failure). */
export function isRefusedRecording(err: unknown): boolean {
  return isBeamloomError(err, 'CONFIG_INVALID')
}
