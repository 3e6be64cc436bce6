import { readFileSync } from 'node:fs'
import path from 'node:path'
import { decodeMultiple } from 'cbor-x'
import { z } from 'zod'

const RawCaptureItem = z.array(z.instanceof(Uint8Array))

/** Reads a raw capture from `../shared/fixtures`: one array of zmq parts per message. */
export function readCapture(name: string): Uint8Array[][] {
  const bytes = readFileSync(path.resolve(process.cwd(), '../shared/fixtures', name))
  const items: Uint8Array[][] = []
  decodeMultiple(bytes, (item: unknown) => {
    items.push(RawCaptureItem.parse(item))
  })
  return items
}
