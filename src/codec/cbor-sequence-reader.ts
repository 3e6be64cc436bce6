import { constants } from 'node:buffer'
import { RecordingError } from '../errors.js'
import { type CborByteSource, openCborByteSource } from './cbor-byte-source.js'
import type { CborItem } from './cbor-item.js'
import { scanCborItem } from './cbor-scan.js'

/** Options of {@link readCborSequence}. */
export interface CborSequenceReadOptions {
  /** Bytes asked of the file per read (default 4 MiB). Tests use tiny values. */
  readonly chunkBytes?: number
  /** Largest item accepted, in bytes (default and ceiling: the largest possible Buffer). */
  readonly maxItemBytes?: number
  /** Gunzip while reading (default: when the path ends in `.gz`). Offsets are then in the decompressed bytes. */
  readonly gzip?: boolean
  /** Name of the file in error messages (default: the path). */
  readonly name?: string
}

/** Default bytes per read: big enough for throughput, small next to a detector frame. */
export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024

/**
 * Streams the top-level items of a CBOR sequence file, each with its byte offset. The read
 * buffer holds at most the current item plus one chunk; items are views into it, and a buffer
 * is never written again once an item in it was handed out, so they stay valid however long
 * the caller keeps them (and keep that buffer alive meanwhile).
 *
 * Rejects (while iterating) with the fs error if the file cannot be read,
 * `RecordingError` `RECORDING_TRUNCATED` when the file ends inside an item (offset: where that
 * item starts), and `RECORDING_CORRUPT` when bytes are not well-formed CBOR or an item exceeds
 * `maxItemBytes`. Breaking out of the loop closes the file.
 */
export async function* readCborSequence(
  path: string,
  options: CborSequenceReadOptions = {},
): AsyncGenerator<CborItem, void, undefined> {
  const name = options.name ?? path
  const chunkBytes = positiveInteger('chunkBytes', options.chunkBytes ?? DEFAULT_CHUNK_BYTES)
  const maxItemBytes = Math.min(
    positiveInteger('maxItemBytes', options.maxItemBytes ?? constants.MAX_LENGTH),
    constants.MAX_LENGTH,
  )
  const source = await openCborByteSource(path, { gzip: options.gzip ?? path.endsWith('.gz') })
  let buffer = new Uint8Array(0)
  let base = 0 // file offset of buffer[0]
  let start = 0 // first byte of the current item
  let end = 0 // end of the bytes read so far
  let index = 0
  let eof = false
  try {
    for (;;) {
      const inItem = start < end
      let needed = end + 1
      if (inItem) {
        const scan = scanCborItem(buffer, start, end)
        if (scan.status === 'complete') {
          if (scan.end - start > maxItemBytes) {
            throw tooLarge(name, base + start, index, scan.end - start, maxItemBytes)
          }
          yield { offset: base + start, index, bytes: buffer.subarray(start, scan.end) }
          index += 1
          start = scan.end
          continue
        }
        if (scan.status === 'invalid') {
          throw new RecordingError(
            name,
            base + start,
            `item ${index} is not well-formed CBOR: ${scan.reason} (byte ${base + scan.at})`,
          )
        }
        needed = scan.needed
      } else if (eof) {
        return
      }
      const itemStart = base + start
      const wantBytes = needed - start
      const pastEnd = source.sizeBytes !== undefined && itemStart + wantBytes > source.sizeBytes
      if (inItem && (eof || pastEnd)) {
        throw truncated(name, itemStart, index, wantBytes, source.sizeBytes ?? base + end)
      }
      if (wantBytes > maxItemBytes) throw tooLarge(name, itemStart, index, wantBytes, maxItemBytes)
      if (end === buffer.length || buffer.length - start < wantBytes) {
        // Grow into a fresh buffer: earlier items handed out are views of the old one. One
        // chunk beyond what the scan asked for lets the item's tail (after a large frame) fit
        // without growing again, and bounds the buffer by item + chunk.
        const have = end - start
        const sizeLeft = source.sizeBytes === undefined ? Infinity : source.sizeBytes - itemStart
        const capacity = Math.min(
          wantBytes + chunkBytes,
          Math.max(sizeLeft, wantBytes),
          constants.MAX_LENGTH,
        )
        const next = Buffer.allocUnsafeSlow(capacity)
        next.set(buffer.subarray(start, end), 0)
        buffer = next
        base = itemStart
        end = have
        start = 0
      }
      const n = await readSource(source, name, buffer, end, chunkBytes, base + start, index)
      if (n === 0) eof = true
      end += n
    }
  } finally {
    await source.close()
  }
}

/**
 * Splits an in-memory CBOR sequence into items (views into `bytes`). Throws the same
 * `RecordingError`s as {@link readCborSequence}, naming `name`.
 */
export function* splitCborSequence(bytes: Uint8Array, name: string): Generator<CborItem, void> {
  let start = 0
  let index = 0
  while (start < bytes.length) {
    const scan = scanCborItem(bytes, start)
    if (scan.status === 'incomplete') {
      throw truncated(name, start, index, scan.needed - start, bytes.length)
    }
    if (scan.status === 'invalid') {
      throw new RecordingError(
        name,
        start,
        `item ${index} is not well-formed CBOR: ${scan.reason} (byte ${scan.at})`,
      )
    }
    yield { offset: start, index, bytes: bytes.subarray(start, scan.end) }
    index += 1
    start = scan.end
  }
}

function tooLarge(name: string, itemStart: number, index: number, bytes: number, limit: number) {
  return new RecordingError(
    name,
    itemStart,
    `item ${index} needs at least ${bytes} bytes, more than the limit of ${limit}`,
  )
}

function truncated(
  name: string,
  itemStart: number,
  index: number,
  wantBytes: number,
  fileBytes: number,
): RecordingError {
  const present = fileBytes - itemStart
  return new RecordingError(
    name,
    itemStart,
    `file ends inside item ${index} (${present} bytes present, at least ${wantBytes} needed)`,
    { truncated: true },
  )
}

async function readSource(
  source: CborByteSource,
  name: string,
  into: Uint8Array,
  offset: number,
  chunkBytes: number,
  itemStart: number,
  index: number,
): Promise<number> {
  try {
    return await source.read(into, offset, Math.min(chunkBytes, into.length - offset))
  } catch (err) {
    const zlibCode = zlibErrorCode(err)
    if (zlibCode === undefined) throw err
    // zlib reports a cut-off stream as Z_BUF_ERROR ("unexpected end of file").
    const isCut = zlibCode === 'Z_BUF_ERROR'
    throw new RecordingError(
      name,
      itemStart,
      `gzip data ${isCut ? 'ends early' : `is corrupt (${zlibCode})`} inside item ${index}`,
      { cause: err, truncated: isCut },
    )
  }
}

function zlibErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !('code' in err)) return undefined
  const { code } = err
  return typeof code === 'string' && code.startsWith('Z_') ? code : undefined
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${option} must be a positive integer, got ${value}`)
  }
  return value
}
