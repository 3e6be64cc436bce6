import { CBOR_MAJOR, CborPartsBuilder, concatParts } from './cbor-parts-builder.js'
import { type CborSequenceWriteOptions, createCborSequenceWriter } from './cbor-sequence-writer.js'

/** Options of {@link createRawCaptureWriter}. */
export type RawCaptureWriteOptions = CborSequenceWriteOptions

/** Appends upstream messages to a raw capture file. */
export interface RawCaptureWriter {
  /** The file written to. */
  readonly path: string
  /** Messages whose `write` has resolved so far. */
  readonly messagesWritten: number
  /** Bytes handed to the file so far (before gzip). */
  readonly bytesWritten: number
  /**
   * Appends one message (its zmq parts, in order; do not change them after the call). Resolves
   * when the file stream can take more. Rejects with `StateError` after `close()`, or with the
   * fs/zlib error.
   */
  write(parts: readonly Uint8Array[]): Promise<void>
  /** Flushes and closes; idempotent; rejects with the first fs/zlib error if any happened. */
  close(): Promise<void>
}

/** Encodes one upstream message as a raw capture item, as parts (large parts referenced). */
export function encodeRawCaptureItemParts(parts: readonly Uint8Array[]): Uint8Array[] {
  const out = new CborPartsBuilder().head(CBOR_MAJOR.array, parts.length)
  for (const part of parts) out.bytes(part)
  return out.finish()
}

/** Encodes one upstream message as a raw capture item in one new buffer. */
export function encodeRawCaptureItem(parts: readonly Uint8Array[]): Uint8Array {
  return concatParts(encodeRawCaptureItemParts(parts))
}

/**
 * Opens `path` (replacing it unless `append`; gzip when it ends in `.gz`) for a raw capture:
 * a CBOR sequence of arrays of byte strings, no tags. Rejects with the fs error when the file
 * cannot be opened.
 */
export async function createRawCaptureWriter(
  path: string,
  options: RawCaptureWriteOptions = {},
): Promise<RawCaptureWriter> {
  const sequence = await createCborSequenceWriter(path, options)
  let messagesWritten = 0
  return {
    path,
    get messagesWritten() {
      return messagesWritten
    },
    get bytesWritten() {
      return sequence.bytesWritten
    },
    async write(parts) {
      await sequence.write(encodeRawCaptureItemParts(parts))
      messagesWritten += 1
    },
    close: () => sequence.close(),
  }
}
