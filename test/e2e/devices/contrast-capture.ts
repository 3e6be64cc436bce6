/**
 * Figures read straight from the bytes of a Contrast capture, without the pickle reader: the
 * `status` and the float fields of each pickled dict. Contrast writes a field as BINUNICODE
 * (`X`, u32 LE length, UTF-8), an optional memo put (`q` n or `r` u32), and a float as BINFLOAT
 * (`G`, 8 bytes big-endian); that is all these helpers rely on.
 */
import { readRawCapture } from '../../../src/internal.js'

const latin1 = new TextDecoder('latin1')

/** Where the value after key `name` starts (BINUNICODE or SHORT_BINUNICODE key, memo skipped). */
function valueAt(bytes: Uint8Array, name: string): number | undefined {
  const text = latin1.decode(bytes)
  for (const prefix of [
    `X${latin1.decode(u32(name.length))}`,
    `\x8c${String.fromCharCode(name.length)}`,
  ]) {
    const at = text.indexOf(prefix + name)
    if (at < 0) continue
    let i = at + prefix.length + name.length
    if (bytes[i] === 0x71)
      i += 2 // BINPUT
    else if (bytes[i] === 0x72)
      i += 5 // LONG_BINPUT
    else if (bytes[i] === 0x94) i += 1 // MEMOIZE (protocol 4)
    return i
  }
  return undefined
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, n, true)
  return b
}

/** The float stored under key `name` in a pickled dict, or `undefined`. */
export function pickledFloat(bytes: Uint8Array, name: string): number | undefined {
  const i = valueAt(bytes, name)
  if (i === undefined || bytes[i] !== 0x47) return undefined // BINFLOAT
  return new DataView(bytes.buffer, bytes.byteOffset + i + 1, 8).getFloat64(0, false)
}

/** The string stored under key `name` in a pickled dict, or `undefined`. */
export function pickledString(bytes: Uint8Array, name: string): string | undefined {
  const i = valueAt(bytes, name)
  if (i === undefined) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  if (bytes[i] === 0x58)
    return latin1.decode(bytes.subarray(i + 5, i + 5 + view.getUint32(i + 1, true)))
  if (bytes[i] === 0x8c) return latin1.decode(bytes.subarray(i + 2, i + 2 + (bytes[i + 1] ?? 0)))
  return undefined
}

/** One message of a Contrast capture, as read from its bytes. */
export interface CapturedContrast {
  readonly status: string | undefined
  readonly sx: number | undefined
  readonly sy: number | undefined
  readonly dt: number | undefined
  readonly description: string | undefined
}

/** Every message of a Contrast capture, in order. */
export async function readContrastCapture(file: string): Promise<CapturedContrast[]> {
  const out: CapturedContrast[] = []
  for await (const parts of readRawCapture(file)) {
    const bytes = parts[0] as Uint8Array
    out.push({
      status: pickledString(bytes, 'status'),
      sx: pickledFloat(bytes, 'sx'),
      sy: pickledFloat(bytes, 'sy'),
      dt: pickledFloat(bytes, 'dt'),
      description: pickledString(bytes, 'description'),
    })
  }
  return out
}
