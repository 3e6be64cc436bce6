import { z } from 'zod'
import { ProtocolError } from '../errors.js'
import type { ControlValue, StreamEntry } from './control-plane.js'

const Bytes = z.instanceof(Uint8Array)
const EntryReply = z.tuple([Bytes, z.array(Bytes)])
/** Reply of `XRANGE`/`XREVRANGE` (buffers). */
const RangeReply = z.array(EntryReply)
/** Reply of `XREAD` on one stream (buffers); `null` on timeout. */
const ReadReply = z.array(z.tuple([Bytes, RangeReply])).nullable()
/** Reply of `SCAN` (strings). */
const ScanReply = z.tuple([z.string(), z.array(z.string())])
/** Reply of `HGETALL` (buffers, flat field/value list). */
const FlatReply = z.array(Bytes)

function parse<T>(schema: z.ZodType<T>, reply: unknown, command: string): T {
  const parsed = schema.safeParse(reply)
  if (!parsed.success) {
    throw new ProtocolError(`unexpected Redis reply to ${command}: ${parsed.error.message}`)
  }
  return parsed.data
}

function toEntries(reply: z.infer<typeof RangeReply>): StreamEntry[] {
  return reply.map(([id, flat]) => {
    const fields = new Map<string, Uint8Array>()
    for (let i = 0; i + 1 < flat.length; i += 2) {
      fields.set(Buffer.from(flat[i] as Uint8Array).toString('utf8'), flat[i + 1] as Uint8Array)
    }
    return { id: Buffer.from(id).toString('latin1'), fields }
  })
}

/**
 * Parse a Redis reply at the edge (pure).
 * @throws ProtocolError `PROTOCOL_INVALID` when the reply has another shape.
 */
export const parseReply = {
  range: (reply: unknown, command: string): StreamEntry[] =>
    toEntries(parse(RangeReply, reply, command)),
  read: (reply: unknown): StreamEntry[] => {
    const streams = parse(ReadReply, reply, 'XREAD')
    return streams === null ? [] : streams.flatMap(([, entries]) => toEntries(entries))
  },
  scan: (reply: unknown): [cursor: string, keys: string[]] => parse(ScanReply, reply, 'SCAN'),
  hash: (reply: unknown): Map<string, Uint8Array> => {
    const flat = parse(FlatReply, reply, 'HGETALL')
    const out = new Map<string, Uint8Array>()
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.set(Buffer.from(flat[i] as Uint8Array).toString('utf8'), flat[i + 1] as Uint8Array)
    }
    return out
  },
  bytes: (reply: unknown, command: string): Uint8Array | undefined =>
    parse(Bytes.nullable(), reply, command) ?? undefined,
  integer: (reply: unknown, command: string): number => parse(z.number(), reply, command),
}

/** A value as a Redis argument: strings as is, bytes as a Buffer view (no copy). */
export function toArg(value: ControlValue): string | Buffer {
  return typeof value === 'string'
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** Field/value pairs as a flat argument list. */
export function fieldArgs(fields: Readonly<Record<string, ControlValue>>): (string | Buffer)[] {
  return Object.entries(fields).flatMap(([k, v]) => [k, toArg(v)])
}
