import { scanCborItem } from '../../src/internal.js'
import { type Classified, clip } from '../base/classify-json.js'

const SELF_DESCRIBE = [0xd9, 0xd9, 0xf7]
/** Map entries looked through for `type` and `image_id` before giving up. */
const MAX_ENTRIES = 64
/** Longest key or `type` value read (DECTRIS keys are short). */
const MAX_TEXT_BYTES = 64
const latin1 = new TextDecoder('latin1')

/** The argument of the CBOR head at `at` and where its payload starts; `undefined` if cut off. */
function head(
  bytes: Uint8Array,
  at: number,
): { major: number; arg: number; next: number } | undefined {
  const initial = bytes[at]
  if (initial === undefined) return undefined
  const major = initial >> 5
  const info = initial & 0x1f
  if (info < 24) return { major, arg: info, next: at + 1 }
  if (info > 27) return { major, arg: -1, next: at + 1 }
  const size = 1 << (info - 24)
  if (at + 1 + size > bytes.length) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1, size)
  let arg: number
  if (size === 1) arg = view.getUint8(0)
  else if (size === 2) arg = view.getUint16(0)
  else if (size === 4) arg = view.getUint32(0)
  else {
    const big = view.getBigUint64(0)
    arg = big > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(big)
  }
  return { major, arg, next: at + 1 + size }
}

/** A short definite text string at `at`, and where it ends. */
function text(bytes: Uint8Array, at: number): { value: string; end: number } | undefined {
  const h = head(bytes, at)
  if (h === undefined || h.major !== 3 || h.arg < 0 || h.arg > MAX_TEXT_BYTES) return undefined
  const end = h.next + h.arg
  if (end > bytes.length) return undefined
  return { value: latin1.decode(bytes.subarray(h.next, end)), end }
}

/**
 * `type` and `image_id` of a Stream V2 message: walks the top-level CBOR map (behind the
 * self-describe tag) key by key, skipping values without decoding them, and stops as soon as
 * it knows both (DECTRIS sends them first). Never decodes an image.
 */
function readTypeAndId(bytes: Uint8Array): { type?: string; imageId?: number; bad?: string } {
  let at = 0
  if (SELF_DESCRIBE.every((b, i) => bytes[i] === b)) at = 3
  const map = head(bytes, at)
  if (map === undefined || map.major !== 5) return { bad: 'is not a CBOR map' }
  const indefinite = map.arg < 0 && (bytes[at]! & 0x1f) === 31
  if (map.arg < 0 && !indefinite) return { bad: 'is not a CBOR map' }
  const entries = indefinite ? MAX_ENTRIES : Math.min(map.arg, MAX_ENTRIES)
  at = map.next
  const found: { type?: string; imageId?: number; bad?: string } = {}
  for (let i = 0; i < entries; i++) {
    if (indefinite && bytes[at] === 0xff) break
    const key = text(bytes, at)
    let valueAt: number
    if (key === undefined) {
      const skipped = scanCborItem(bytes, at)
      if (skipped.status !== 'complete') return { ...found, bad: 'is not well-formed CBOR' }
      valueAt = skipped.end
    } else {
      valueAt = key.end
    }
    if (key?.value === 'type') {
      const value = text(bytes, valueAt)
      if (value === undefined) return { ...found, bad: "has a 'type' that is not a short text" }
      found.type = value.value
    } else if (key?.value === 'image_id') {
      const value = head(bytes, valueAt)
      if (value === undefined || value.major !== 0 || value.arg < 0) {
        return { ...found, bad: "has an 'image_id' that is not an unsigned integer" }
      }
      found.imageId = value.arg
    }
    if (found.type !== undefined && (found.type !== 'image' || found.imageId !== undefined)) {
      return found
    }
    const value = scanCborItem(bytes, valueAt)
    if (value.status !== 'complete') return { ...found, bad: 'is not well-formed CBOR' }
    at = value.end
  }
  return found
}

/**
 * Classify one DECTRIS Stream V2 message (one CBOR part) by its `type` (`start`, `image`,
 * `end`) and, for an image, its `image_id` (from 0), read from the first bytes without
 * decoding the images (see `readTypeAndId`). Anything else — another part count, bytes that
 * are not a CBOR map, an unknown type, an image without an `image_id` — is `invalid`. The rest
 * of the message is the parser's (a truncated image still goes to its event, which fails with
 * the parser's reason).
 */
export function classifyEigerV2(parts: readonly Uint8Array[]): Classified {
  if (parts.length !== 1) {
    return { kind: 'invalid', reason: `Eiger V2 message with ${parts.length} parts (expected 1)` }
  }
  const { type, imageId, bad } = readTypeAndId(parts[0]!)
  if (type === undefined) {
    return { kind: 'invalid', reason: `Eiger V2 message that ${bad ?? 'has no type'}` }
  }
  if (type === 'start' || type === 'end') return { kind: type }
  if (type !== 'image') {
    return { kind: 'invalid', reason: `Eiger V2 message of unknown type '${clip(type)}'` }
  }
  if (imageId === undefined) {
    return {
      kind: 'invalid',
      reason: `Eiger V2 image that ${bad ?? 'has no image_id'}`,
    }
  }
  return { kind: 'data', frame: imageId }
}
