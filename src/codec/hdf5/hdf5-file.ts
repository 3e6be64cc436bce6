import { type FileHandle, open } from 'node:fs/promises'
import { ConfigError } from '../../errors.js'
import { Hdf5Cursor, type Hdf5Sizes, hdf5Error } from './hdf5-cursor.js'

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]

/** Largest single read of metadata or one chunk: 1 GiB (a bound on what a file can ask for). */
export const HDF5_MAX_READ_BYTES = 2 ** 30

/**
 * The bytes of one HDF5 file, read on demand: the superblock's address and length sizes and
 * its base address (every address in the file is relative to it), and bounded reads.
 * `close()` is idempotent.
 */
export class Hdf5File implements Hdf5Sizes {
  readonly path: string
  readonly offsetSize: number
  readonly lengthSize: number
  /** Absolute file position of relative address 0. */
  readonly baseAddress: number
  readonly size: number
  readonly #handle: FileHandle
  #closed = false

  private constructor(
    path: string,
    handle: FileHandle,
    size: number,
    sizes: Hdf5Sizes,
    baseAddress: number,
  ) {
    this.path = path
    this.#handle = handle
    this.size = size
    this.offsetSize = sizes.offsetSize
    this.lengthSize = sizes.lengthSize
    this.baseAddress = baseAddress
  }

  /**
   * Open a file and read its superblock (at 0, 512, 1024, … as HDF5 allows after a user block).
   * @throws ConfigError `CONFIG_INVALID` when the file cannot be opened; ProtocolError
   *   `DECODE_FAILED` when it is not an HDF5 file or its superblock is unreadable.
   */
  static async open(path: string): Promise<Hdf5File> {
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (cause) {
      throw new ConfigError(`cannot read HDF5 file ${path}: ${(cause as Error).message}`, { cause })
    }
    try {
      const size = (await handle.stat()).size
      for (let at = 0; at + 48 <= size; at = at === 0 ? 512 : at * 2) {
        const head = await readAt(handle, at, Math.min(96, size - at))
        if (!SIGNATURE.every((b, i) => head[i] === b)) continue
        const { sizes, base, eof } = parseSuperblock(head, `${path} superblock at ${at}`)
        // The end-of-file address counts from the start of the file, user block included.
        if (eof !== undefined && eof > size) {
          throw hdf5Error(path, `truncated: ${size} bytes, the superblock says ${eof}`)
        }
        return new Hdf5File(path, handle, size, sizes, base)
      }
      throw hdf5Error(path, 'no HDF5 superblock (not an HDF5 file)')
    } catch (err) {
      await handle.close()
      throw err
    }
  }

  /**
   * `length` bytes at relative address `address`.
   * @throws ProtocolError `DECODE_FAILED` when they lie outside the file or exceed
   *   {@link HDF5_MAX_READ_BYTES}.
   */
  async read(address: number, length: number, what: string): Promise<Uint8Array> {
    const at = this.baseAddress + address
    if (length > HDF5_MAX_READ_BYTES) {
      throw hdf5Error(`${this.path} ${what} at ${address}`, `${length} bytes is too large`)
    }
    if (address < 0 || at + length > this.size) {
      throw hdf5Error(
        `${this.path} ${what} at ${address}`,
        `${length} bytes would end past the end of the file (${this.size} bytes)`,
      )
    }
    return readAt(this.#handle, at, length)
  }

  /** A cursor over `length` bytes at `address`. */
  async cursor(address: number, length: number, what: string): Promise<Hdf5Cursor> {
    const bytes = await this.read(address, length, what)
    return new Hdf5Cursor(bytes, this, `${this.path} ${what} at ${address}`)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#handle.close()
  }
}

async function readAt(handle: FileHandle, at: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, at + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  if (done !== length) throw hdf5Error(`file at ${at}`, `read ${done} of ${length} bytes`)
  return out
}

function parseSuperblock(
  head: Uint8Array,
  where: string,
): { sizes: Hdf5Sizes; base: number; eof: number | undefined } {
  const version = head[8]!
  let offsetSize: number
  let lengthSize: number
  let baseAt: number
  if (version === 0 || version === 1) {
    offsetSize = head[13]!
    lengthSize = head[14]!
    baseAt = version === 0 ? 24 : 28
  } else if (version === 2 || version === 3) {
    offsetSize = head[9]!
    lengthSize = head[10]!
    baseAt = 12
  } else {
    throw hdf5Error(where, `superblock version ${version} is not supported`)
  }
  const valid = (n: number) => n === 2 || n === 4 || n === 8
  if (!valid(offsetSize) || !valid(lengthSize)) {
    throw hdf5Error(where, `address size ${offsetSize} / length size ${lengthSize} not supported`)
  }
  const sizes = { offsetSize, lengthSize }
  const c = new Hdf5Cursor(head, sizes, where, baseAt)
  const base = c.address() ?? 0
  // Then the free-space (v0, v1) or superblock extension (v2, v3) address, then the end of file.
  c.address()
  const eof = c.address()
  return { sizes, base, eof }
}
