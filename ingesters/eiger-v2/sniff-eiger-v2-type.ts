/** `"type"` as a CBOR text string: header 0x64 and the four letters. */
const TYPE_KEY = [0x64, 0x74, 0x79, 0x70, 0x65]
const latin1 = new TextDecoder('latin1')

/** A short CBOR text string at `at`, or `undefined`. */
function textAt(bytes: Uint8Array, at: number): string | undefined {
  const head = bytes[at]
  if (head === undefined) return undefined
  let length: number | undefined
  let start = at + 1
  if (head >= 0x60 && head <= 0x77) length = head - 0x60
  else if (head === 0x78) {
    length = bytes[at + 1]
    start = at + 2
  }
  if (length === undefined || start + length > bytes.length) return undefined
  return latin1.decode(bytes.subarray(start, start + length))
}

function isTypeKey(bytes: Uint8Array, at: number): boolean {
  return TYPE_KEY.every((b, i) => bytes[at + i] === b)
}

/** Bytes a map header takes at `at` (major type 5), or 0 when it is not one. */
function mapHeaderLength(head: number | undefined): number {
  if (head === undefined) return 0
  if ((head >= 0xa0 && head <= 0xb7) || head === 0xbf) return 1
  if (head === 0xb8) return 2
  if (head === 0xb9) return 3
  if (head === 0xba) return 5
  if (head === 0xbb) return 9
  return 0
}

/**
 * The `type` of a DECTRIS Stream V2 message (`start`, `image`, `end`, …) read from its first
 * bytes without decoding the CBOR (images are megabytes): DECTRIS puts `type` first, behind
 * the self-describe tag 55799. When it is not first, the first 4 KiB are searched for a
 * `"type"` key followed by a text string. `undefined` when neither finds one; the message is
 * not decoded, so a message whose rest is malformed still gets through to the worker's parser.
 */
export function sniffEigerV2Type(part: Uint8Array | undefined): string | undefined {
  if (part === undefined) return undefined
  let at = 0
  if (part[0] === 0xd9 && part[1] === 0xd9 && part[2] === 0xf7) at = 3
  const header = mapHeaderLength(part[at])
  if (header > 0 && isTypeKey(part, at + header)) {
    return textAt(part, at + header + TYPE_KEY.length)
  }
  const end = Math.min(part.length, 4096)
  for (let i = at; i + TYPE_KEY.length < end; i++) {
    if (isTypeKey(part, i)) {
      const text = textAt(part, i + TYPE_KEY.length)
      if (text !== undefined) return text
    }
  }
  return undefined
}
