import { Hdf5Cursor, hdf5Error } from './hdf5-cursor.js'
import type { Hdf5File } from './hdf5-file.js'

/** Header message types this reader looks at. */
export const MSG_DATASPACE = 0x0001
export const MSG_DATATYPE = 0x0003
export const MSG_FILL_VALUE_OLD = 0x0004
export const MSG_FILL_VALUE = 0x0005
export const MSG_LAYOUT = 0x0008
export const MSG_FILTER_PIPELINE = 0x000b
const MSG_CONTINUATION = 0x0010

/** One header message: its type and its bytes. */
export interface HeaderMessage {
  readonly type: number
  readonly data: Uint8Array
}

/** Bounds on a header, so a corrupt or hostile file cannot make the reader loop or balloon. */
const MAX_BLOCKS = 4096
const MAX_MESSAGES = 65_536
/** Bytes read at once for the start of a header (its prefix fits; the rest is read after). */
const PREFIX_BYTES = 64

/**
 * The messages of the object header at `address` (versions 1 and 2), continuation blocks
 * followed, NIL messages dropped.
 * @throws ProtocolError `DECODE_FAILED` for a header that cannot be read.
 */
export async function readObjectHeader(file: Hdf5File, address: number): Promise<HeaderMessage[]> {
  const where = `object header at ${address}`
  const available = Math.max(0, file.size - file.baseAddress - address)
  const head = await file.read(address, Math.min(PREFIX_BYTES, available), where)
  const out: HeaderMessage[] = []
  const blocks: { address: number; length: number }[] = []
  let version2: { creationOrder: boolean } | undefined
  if (head[0] === 0x4f && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x52) {
    const c = new Hdf5Cursor(head, file, `${file.path} ${where}`)
    c.skip(4)
    const version = c.u8()
    if (version !== 2) throw c.error(`object header version ${version}`)
    const flags = c.u8()
    if (flags & 0x20) c.skip(16)
    if (flags & 0x10) c.skip(4)
    const chunkSize = c.uint(1 << (flags & 0x03))
    version2 = { creationOrder: (flags & 0x04) !== 0 }
    // Messages of chunk 0, then its checksum.
    blocks.push({ address: address + c.pos, length: chunkSize })
  } else {
    const c = new Hdf5Cursor(head, file, `${file.path} ${where}`)
    const version = c.u8()
    if (version !== 1) throw c.error(`object header version ${version}`)
    c.skip(3)
    c.skip(4)
    const size = c.u32()
    blocks.push({ address: address + 16, length: size })
  }
  const seen = new Set<number>()
  for (let b = 0; b < blocks.length; b++) {
    if (b >= MAX_BLOCKS) throw hdf5Error(`${file.path} ${where}`, 'too many continuation blocks')
    const block = blocks[b]!
    if (seen.has(block.address)) throw hdf5Error(`${file.path} ${where}`, 'continuation loop')
    seen.add(block.address)
    const bytes = await file.read(block.address, block.length, `${where} block`)
    const c = new Hdf5Cursor(bytes, file, `${file.path} ${where} block at ${block.address}`)
    let end = bytes.length
    // Version 2: chunk 0 is its messages alone (its checksum follows); a continuation block
    // is a signature, messages and a checksum.
    if (version2 !== undefined && b > 0) {
      c.signature('OCHK')
      end -= 4
    }
    const headerBytes = version2 === undefined ? 8 : version2.creationOrder ? 6 : 4
    while (end - c.pos >= headerBytes) {
      let type: number
      let size: number
      if (version2 === undefined) {
        type = c.u16()
        size = c.u16()
        c.skip(4)
      } else {
        type = c.u8()
        size = c.u16()
        c.skip(1)
        if (version2.creationOrder) c.skip(2)
      }
      if (c.pos + size > end) throw c.error(`message of ${size} bytes overruns its block`)
      const data = c.bytes(size)
      if (type === MSG_CONTINUATION) {
        const m = new Hdf5Cursor(data, file, `${file.path} ${where} continuation`)
        const at = m.address()
        const length = m.length()
        if (at === undefined) throw m.error('continuation to the undefined address')
        blocks.push({ address: at, length })
      } else if (type !== 0) {
        out.push({ type, data })
        if (out.length > MAX_MESSAGES) throw c.error('too many messages')
      }
    }
  }
  return out
}

/** The first message of `type`, if any. */
export function findMessage(
  messages: readonly HeaderMessage[],
  type: number,
): HeaderMessage | undefined {
  return messages.find((m) => m.type === type)
}
