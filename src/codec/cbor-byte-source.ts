import { open } from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/**
 * Where a CBOR sequence reader pulls its bytes from: a plain file read with positional reads
 * straight into the reader's buffer, or a gzip file decompressed as a stream.
 */
export interface CborByteSource {
  /** Total size in bytes when known up front (plain files); `undefined` for gzip. */
  readonly sizeBytes: number | undefined
  /**
   * Reads up to `length` bytes into `into` at `offset`; resolves with how many were read, 0 at
   * the end. Rejects with the fs error, or with zlib's error (a `code` starting `Z_`) for gzip.
   */
  read(into: Uint8Array, offset: number, length: number): Promise<number>
  /** Releases the file; safe to call twice. */
  close(): Promise<void>
}

/**
 * Opens `path` for reading. Rejects with the fs error (`ENOENT`, `EISDIR`, …) when it cannot be
 * opened, so a missing file fails before the first record is asked for.
 */
export async function openCborByteSource(
  path: string,
  options: { readonly gzip: boolean },
): Promise<CborByteSource> {
  const handle = await open(path, 'r')
  let closed: Promise<void> | undefined
  try {
    if (!options.gzip) {
      const { size } = await handle.stat()
      return {
        sizeBytes: size,
        read: async (into, offset, length) => {
          const { bytesRead } = await handle.read(into, offset, length, null)
          return bytesRead
        },
        close: () => {
          closed ??= handle.close()
          return closed
        },
      }
    }
    const gunzip = createGunzip()
    // Errors of either stream reach the gunzip stream (pipeline destroys both with the error)
    // and so the reader's `read`; the callback only exists because pipeline requires one.
    pipeline(handle.createReadStream({ autoClose: false }), gunzip, () => {})
    const source = createStreamSource(gunzip)
    return {
      sizeBytes: undefined,
      read: source.read,
      close: () => {
        closed ??= source.close().finally(() => handle.close())
        return closed
      },
    }
  } catch (err) {
    await handle.close()
    throw err
  }
}

/** Serves a readable stream's chunks through `read`, copying into the caller's buffer. */
function createStreamSource(stream: Readable): Pick<CborByteSource, 'read' | 'close'> {
  const chunks = stream[Symbol.asyncIterator]()
  let pending: Uint8Array = new Uint8Array(0)
  let ended = false
  return {
    read: async (into, offset, length) => {
      while (pending.byteLength === 0) {
        if (ended) return 0
        const next = await chunks.next()
        if (next.done === true) {
          ended = true
          return 0
        }
        const chunk: unknown = next.value
        if (!(chunk instanceof Uint8Array)) throw new TypeError('gunzip produced a non-byte chunk')
        pending = chunk
      }
      const n = Math.min(length, pending.byteLength)
      into.set(pending.subarray(0, n), offset)
      pending = pending.subarray(n)
      return n
    },
    close: async () => {
      ended = true
      stream.destroy()
    },
  }
}
