/** Figures read straight from the bytes of an Xspress3 capture, without the parser. */
import { readRawCapture } from '../../../src/internal.js'

/** Sum of little-endian uint32 values of a raw part. */
export function sumUint32(part: Uint8Array): number {
  const view = new DataView(part.buffer, part.byteOffset, part.byteLength)
  let sum = 0
  for (let i = 0; i + 4 <= part.byteLength; i += 4) sum += view.getUint32(i, true)
  return sum
}

const text = (part: Uint8Array | undefined) => new TextDecoder().decode(part)

/**
 * The spectra sum of every frame of an Xspress3 capture, in order: the binary part after each
 * `image` JSON (three-message form) or the second part of a three-part message.
 */
export async function xspress3FrameSums(file: string): Promise<number[]> {
  const sums: number[] = []
  let spectraNext = false
  for await (const parts of readRawCapture(file)) {
    if (parts.length === 3) {
      sums.push(sumUint32(parts[1] as Uint8Array))
    } else if (spectraNext) {
      sums.push(sumUint32(parts[0] as Uint8Array))
      spectraNext = false
    } else if (text(parts[0]).startsWith('{') && JSON.parse(text(parts[0])).htype === 'image') {
      spectraNext = true
    }
  }
  return sums
}
