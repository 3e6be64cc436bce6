import { ProtocolError } from '../errors.js'

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
}

/**
 * Decodes the argument of protocol-0 `STRING`: a quoted Python 2 string literal with
 * backslash escapes (`\n`, `\xNN`, octal `\NNN`, …). Characters are bytes, so the result is
 * latin-1 text.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` when unquoted or badly escaped.
 */
export function decodeStringLiteral(line: string): string {
  const q = line[0]
  if (line.length < 2 || (q !== "'" && q !== '"') || line[line.length - 1] !== q) {
    throw new ProtocolError('pickle: STRING argument is not a quoted string')
  }
  const body = line.slice(1, -1)
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c !== '\\') {
      out += c
      continue
    }
    const e = body[++i]
    if (e === undefined) throw new ProtocolError('pickle: STRING ends inside an escape')
    const simple = SIMPLE_ESCAPES[e]
    if (simple !== undefined) {
      out += simple
    } else if (e === 'x') {
      const hex = body.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new ProtocolError('pickle: bad \\x escape in STRING')
      out += String.fromCharCode(Number.parseInt(hex, 16))
      i += 2
    } else if (e >= '0' && e <= '7') {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0]
      out += String.fromCharCode(Number.parseInt(oct, 8) & 0xff)
      i += oct.length - 1
    } else {
      out += `\\${e}` // Python keeps unknown escapes as they are
    }
  }
  return out
}

/**
 * Decodes the argument of protocol-0 `UNICODE` (Python's `raw-unicode-escape`): latin-1
 * text in which `\uXXXX` and `\UXXXXXXXX` stand for code points.
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a code point beyond U+10FFFF.
 */
export function decodeRawUnicodeEscape(line: string): string {
  return line.replace(
    /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
    (_m, u4?: string, u8?: string) => {
      const cp = Number.parseInt(u4 ?? u8 ?? '0', 16)
      if (cp > 0x10ffff) throw new ProtocolError(`pickle: code point U+${u8} is out of range`)
      return String.fromCodePoint(cp)
    },
  )
}

/**
 * Encodes text whose characters are all below U+0100 as latin-1 bytes (Python's
 * `str.encode('latin1')`, which protocol-2 pickles use for `bytes`).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` for a character that latin-1 cannot hold.
 */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c > 0xff) throw new ProtocolError('pickle: latin-1 text holds a character above U+00FF')
    out[i] = c
  }
  return out
}
