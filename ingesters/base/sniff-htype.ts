const HTYPE = /"htype"\s*:\s*"([^"]*)"/
const utf8 = new TextDecoder()

/**
 * The `htype` of a JSON message part, read without parsing the JSON (`undefined`: none).
 * Only the first 4 KiB are looked at, so a large binary part costs nothing.
 */
export function sniffHtype(part: Uint8Array | undefined): string | undefined {
  if (part === undefined) return undefined
  return HTYPE.exec(utf8.decode(part.subarray(0, 4096)))?.[1]
}
