import { type CborSequenceReadOptions, readCborSequence } from './cbor-sequence-reader.js'
import { decodeRawCaptureItem } from './raw-capture-decode.js'

/** Options of {@link readRawCapture}. */
export interface RawCaptureReadOptions extends CborSequenceReadOptions {
  /** Copy parts out of the read buffer (default false: parts are views into it). */
  readonly copyParts?: boolean
}

/**
 * Streams a raw upstream capture (a CBOR sequence of arrays of byte strings, one array per zmq
 * message, parts in the order the device sent them), reading `chunkBytes` at a time.
 *
 * Rejects while iterating with the fs error if the file cannot be opened or read, and with
 * `RecordingError` naming the file and the message's byte offset: `RECORDING_TRUNCATED` when
 * the file ends inside a message, `RECORDING_CORRUPT` when it is not well-formed CBOR or not an
 * array of byte strings. Breaking out of the loop closes the file.
 */
export async function* readRawCapture(
  path: string,
  options: RawCaptureReadOptions = {},
): AsyncGenerator<Uint8Array[], void, undefined> {
  const name = options.name ?? path
  const decodeOptions = { copyBytes: options.copyParts ?? false }
  for await (const item of readCborSequence(path, options)) {
    yield decodeRawCaptureItem(item, name, decodeOptions)
  }
}
