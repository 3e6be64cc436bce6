import { open } from 'node:fs/promises'
import { pipeline, type Writable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { StateError } from '../errors.js'

/** Options of {@link createCborSequenceWriter}. */
export interface CborSequenceWriteOptions {
  /** Append to an existing file instead of replacing it (default false; Dranspose appends). */
  readonly append?: boolean
  /** Gzip the output (default: when the path ends in `.gz`). */
  readonly gzip?: boolean
}

/** Appends encoded CBOR items to a file, honouring the file stream's back-pressure. */
export interface CborSequenceWriter {
  /** The file written to. */
  readonly path: string
  /** Bytes handed to the file so far (before gzip). */
  readonly bytesWritten: number
  /**
   * Queues the parts of one item. Resolves when the stream can take more (at once unless it is
   * above its high-water mark); the parts must not change after the call. Rejects with
   * `StateError` after `close()`, or with the fs/zlib error once one happened.
   */
  write(parts: readonly Uint8Array[]): Promise<void>
  /**
   * Flushes, closes the file and resolves once it is closed; rejects with the first fs/zlib
   * error if any happened. Idempotent: every call returns the same promise.
   */
  close(): Promise<void>
}

/**
 * Opens `path` for writing a CBOR sequence. Rejects with the fs error when the file cannot be
 * opened, so a bad path fails before the first item.
 */
export async function createCborSequenceWriter(
  path: string,
  options: CborSequenceWriteOptions = {},
): Promise<CborSequenceWriter> {
  const handle = await open(path, options.append ? 'a' : 'w')
  const file = handle.createWriteStream()
  let failure: Error | undefined
  const remember = (err: Error | null | undefined) => {
    if (err) failure ??= err
  }
  const fileClosed = new Promise<void>((resolve) => file.once('close', resolve))
  let sink: Writable = file
  if (options.gzip ?? path.endsWith('.gz')) {
    const gzip = createGzip()
    // pipeline destroys both streams on an error of either, so the file always closes.
    pipeline(gzip, file, remember)
    sink = gzip
  }
  file.on('error', remember)
  sink.on('error', remember)
  let bytesWritten = 0
  let closing: Promise<void> | undefined

  return {
    path,
    get bytesWritten() {
      return bytesWritten
    },
    async write(parts) {
      if (closing) throw new StateError(`${path}: writer is closed`)
      if (failure) throw failure
      sink.cork()
      let ok = true
      for (const part of parts) {
        ok = sink.write(part)
        bytesWritten += part.byteLength
      }
      sink.uncork()
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            sink.off('drain', done)
            sink.off('close', done)
            resolve()
          }
          sink.on('drain', done)
          sink.on('close', done)
        })
      }
      if (failure) throw failure
    },
    close() {
      closing ??= (async () => {
        if (!sink.destroyed) sink.end()
        await fileClosed
        if (failure) throw failure
      })()
      return closing
    },
  }
}
