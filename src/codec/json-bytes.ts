const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parse JSON from UTF-8 bytes (pure): the one way bytes off a socket, a file or the control
 * plane become a JSON value, which a zod schema then checks. A byte-order mark is skipped.
 * @throws TypeError when the bytes are not UTF-8; SyntaxError when the text is not JSON.
 */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return JSON.parse(utf8.decode(bytes))
}
