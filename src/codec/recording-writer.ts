import type { WorkerMessage } from '../protocol/event.js'
import { type CborSequenceWriteOptions, createCborSequenceWriter } from './cbor-sequence-writer.js'
import { encodeRecordParts, type RecordEncodeOptions } from './recording-encode.js'

/** Options of {@link createRecordingWriter}. */
export interface RecordingWriteOptions extends CborSequenceWriteOptions, RecordEncodeOptions {}

/** Writes worker messages to a Dranspose-compatible `.cbors` recording. */
export interface RecordingWriter {
  /** The file written to. */
  readonly path: string
  /** Records whose `write` has resolved so far. */
  readonly recordsWritten: number
  /** Bytes handed to the file so far (before gzip). */
  readonly bytesWritten: number
  /**
   * Appends one record (frames are written without copying large ones: do not change them
   * after the call). Resolves when the file stream can take more, so awaiting each write bounds
   * memory. Rejects with `ProtocolError` for an unencodable message (nothing is written), with
   * `StateError` after `close()`, or with the fs/zlib error.
   */
  write(msg: WorkerMessage): Promise<void>
  /** Flushes and closes; idempotent; rejects with the first fs/zlib error if any happened. */
  close(): Promise<void>
}

/**
 * Opens `path` (replacing it unless `append`; gzip when it ends in `.gz`) for recording.
 * Records are `55799(42877([evn, {stream: 42878([typ, frames])}, created_at?]))`, with
 * `created_at` (tag 0, RFC 3339 UTC) when the message has one and `includeCreatedAt` is not
 * false. Rejects with the fs error when the file cannot be opened.
 */
export async function createRecordingWriter(
  path: string,
  options: RecordingWriteOptions = {},
): Promise<RecordingWriter> {
  const sequence = await createCborSequenceWriter(path, options)
  const encodeOptions = { includeCreatedAt: options.includeCreatedAt ?? true }
  let recordsWritten = 0
  return {
    path,
    get recordsWritten() {
      return recordsWritten
    },
    get bytesWritten() {
      return sequence.bytesWritten
    },
    async write(msg) {
      await sequence.write(encodeRecordParts(msg, encodeOptions))
      recordsWritten += 1
    },
    close: () => sequence.close(),
  }
}
