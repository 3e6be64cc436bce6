import type { WorkerMessage } from '../protocol/event.js'
import { type CborSequenceReadOptions, readCborSequence } from './cbor-sequence-reader.js'
import { decodeRecordItem } from './recording-decode.js'

/** Options of {@link readRecording}. */
export interface RecordingReadOptions extends CborSequenceReadOptions {
  /**
   * Copy frames out of the read buffer (default false). Frames are otherwise views into a
   * buffer of up to one chunk, so keeping one small frame keeps that whole chunk alive.
   */
  readonly copyFrames?: boolean
}

/**
 * Streams the worker messages of a Dranspose `.cbors` recording (`.cbors.gz` is gunzipped),
 * reading `chunkBytes` at a time and holding about one record plus one chunk. Records with and
 * without `created_at` (tag 0 string or tag 1 epoch) are accepted, with or without tag 55799.
 *
 * Rejects while iterating with the fs error if the file cannot be opened or read, and with
 * `RecordingError` naming the file and the record's byte offset: `RECORDING_TRUNCATED` when the
 * file ends inside a record, `RECORDING_CORRUPT` when a record is not well-formed CBOR or not a
 * worker message (the reason says what is wrong). Breaking out of the loop closes the file.
 */
export async function* readRecording(
  path: string,
  options: RecordingReadOptions = {},
): AsyncGenerator<WorkerMessage, void, undefined> {
  const name = options.name ?? path
  const decodeOptions = { copyBytes: options.copyFrames ?? false }
  for await (const item of readCborSequence(path, options)) {
    yield decodeRecordItem(item, name, decodeOptions)
  }
}
