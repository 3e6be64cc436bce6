import { ProtocolError } from '../../errors.js'
import { isPcapHeaderStart, type PcapHeader, parsePcapHeader } from './pcap-header.js'

/** What `PcapStreamSplitter` cuts a PandABox capture connection into. */
export type PcapStreamMessage =
  /** An acquisition starts; `raw` is the header block as sent (blank line included). */
  | { readonly kind: 'start'; readonly header: PcapHeader; readonly raw: Uint8Array }
  /** Whole samples, one entry each: an ASCII line with its `\n`, or one binary sample. */
  | { readonly kind: 'rows'; readonly rows: readonly Uint8Array[] }
  /** `END n reason`; `raw` is the line with its `\n`. */
  | {
      readonly kind: 'end'
      readonly samples: number
      readonly reason: string
      readonly raw: Uint8Array
    }

const NEWLINE = 0x0a
const END_LINE = /^END (\d+) ([^\r\n]*?)\r?$/
/** Longest END line we wait for in unframed mode before reading the bytes as a sample. */
const MAX_END_LINE = 64
const latin1 = new TextDecoder('latin1')

function startsWith(bytes: Uint8Array, at: number, text: string): boolean {
  if (bytes.length - at < text.length) return false
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false
  return true
}

/**
 * Cuts the byte stream of a PandABox data port (TCP 8889) into acquisitions: header, samples,
 * `END`. Pure and incremental: feed it chunks as they arrive, in order; it returns the
 * messages completed so far and keeps partial lines, frames and samples for the next chunk.
 * Sample bytes are views into the chunks (copied only when a sample spans two chunks).
 *
 * Between acquisitions it skips `OK` and anything that is not a header. Formats: `ASCII`
 * (one line per sample), `Framed` (`BIN ` + u32 LE length including the 8 header bytes; a
 * sample may span frames) and `Unframed` (raw samples; `END n reason` is recognised at a
 * sample boundary — a sample whose bytes happen to spell a whole END line would be taken for
 * one, which is why PandA advises against unframed data with status lines).
 *
 * @throws ProtocolError `PROTOCOL_INVALID` from `push` for an `ERR` reply, a bad header, a
 *   `Base64` stream, a framed block that starts with neither `BIN ` nor `END`, or an END that
 *   cuts a sample. After an error the splitter must be discarded.
 */
export class PcapStreamSplitter {
  #buffer: Uint8Array = new Uint8Array(0)
  #pos = 0
  #state: 'idle' | 'header' | 'data' = 'idle'
  #headerStart = 0
  #header: PcapHeader | undefined
  /** Binary bytes of a sample not yet complete (framed mode). */
  #partial: Uint8Array = new Uint8Array(0)
  /** Payload bytes still to come in the current `BIN` frame. */
  #frameLeft = 0

  /** The header of the acquisition in progress, if any. */
  get header(): PcapHeader | undefined {
    return this.#state === 'data' ? this.#header : undefined
  }

  /** Feeds the next chunk; returns the messages it completed, in stream order. */
  push(chunk: Uint8Array): PcapStreamMessage[] {
    const keepFrom = this.#state === 'header' ? this.#headerStart : this.#pos
    const rest = this.#buffer.subarray(keepFrom)
    if (rest.length === 0) {
      this.#buffer = chunk
    } else {
      const joined = new Uint8Array(rest.length + chunk.length)
      joined.set(rest)
      joined.set(chunk, rest.length)
      this.#buffer = joined
    }
    this.#pos -= keepFrom
    this.#headerStart -= keepFrom
    const out: PcapStreamMessage[] = []
    const rows: Uint8Array[] = []
    const flush = (): void => {
      if (rows.length > 0) out.push({ kind: 'rows', rows: rows.splice(0) })
    }
    for (;;) {
      const before = this.#pos
      if (this.#state === 'data' && this.#header?.format !== 'ascii') {
        this.#binary(rows, out, flush)
      } else {
        const line = this.#line()
        if (line === undefined) break
        this.#onLine(line, rows, out, flush)
      }
      if (this.#pos === before) break
    }
    flush()
    return out
  }

  #line(): { text: string; bytes: Uint8Array } | undefined {
    const end = this.#buffer.indexOf(NEWLINE, this.#pos)
    if (end < 0) return undefined
    const bytes = this.#buffer.subarray(this.#pos, end + 1)
    this.#pos = end + 1
    const text = latin1.decode(bytes.subarray(0, bytes.length - 1))
    return { text: text.endsWith('\r') ? text.slice(0, -1) : text, bytes }
  }

  #onLine(
    line: { text: string; bytes: Uint8Array },
    rows: Uint8Array[],
    out: PcapStreamMessage[],
    flush: () => void,
  ): void {
    if (this.#state === 'idle') {
      if (line.text.startsWith('ERR'))
        throw new ProtocolError(`PandABox refused the connection: ${line.text}`)
      if (isPcapHeaderStart(line.text)) {
        this.#state = 'header'
        this.#headerStart = this.#pos - line.bytes.length
      }
      return
    }
    if (this.#state === 'header') {
      if (line.text.trim() !== '') return
      const raw = this.#buffer.subarray(this.#headerStart, this.#pos)
      const header = parsePcapHeader(latin1.decode(raw))
      if (header.format === 'base64')
        throw new ProtocolError('PandABox Base64 data is not supported; use ASCII or FRAMED')
      this.#header = header
      this.#state = 'data'
      this.#partial = new Uint8Array(0)
      this.#frameLeft = 0
      out.push({ kind: 'start', header, raw })
      return
    }
    if (line.text.startsWith('END')) {
      flush()
      out.push(this.#end(line.text, line.bytes))
      return
    }
    if (line.text.trim() !== '') rows.push(line.bytes)
  }

  #end(text: string, raw: Uint8Array): PcapStreamMessage {
    const match = END_LINE.exec(text)
    if (match === null) throw new ProtocolError(`PandABox: cannot read end line '${text}'`)
    if (this.#partial.length > 0) {
      throw new ProtocolError(
        `PandABox: END after ${this.#partial.length} bytes of an incomplete sample`,
      )
    }
    this.#state = 'idle'
    return { kind: 'end', samples: Number(match[1]), reason: match[2] ?? '', raw }
  }

  /** Reads binary samples (and the END line) from the buffer as far as it goes. */
  #binary(rows: Uint8Array[], out: PcapStreamMessage[], flush: () => void): void {
    const header = this.#header!
    const framed = header.format === 'framed'
    const buffer = this.#buffer
    for (;;) {
      if (!framed || this.#frameLeft === 0) {
        // Between frames (framed) or at a sample boundary (unframed): END, BIN or a sample.
        const end = this.#endLine(framed)
        if (end === 'wait') return
        if (end !== undefined) {
          flush()
          out.push(end)
          return
        }
      }
      if (!framed) {
        // One sample at a time: the END line may follow any sample.
        const size = header.sampleBytes
        if (buffer.length - this.#pos < size) return
        rows.push(buffer.subarray(this.#pos, this.#pos + size))
        this.#pos += size
        continue
      }
      if (this.#frameLeft === 0) {
        if (buffer.length - this.#pos < 8) return
        if (!startsWith(buffer, this.#pos, 'BIN ')) {
          throw new ProtocolError(
            `PandABox framed data: block starts with neither 'BIN ' nor 'END'`,
          )
        }
        const view = new DataView(buffer.buffer, buffer.byteOffset + this.#pos + 4, 4)
        const length = view.getUint32(0, true)
        if (length < 8) throw new ProtocolError(`PandABox framed data: block length ${length} < 8`)
        this.#frameLeft = length - 8
        this.#pos += 8
        continue
      }
      const available = Math.min(this.#frameLeft, buffer.length - this.#pos)
      if (available === 0) return
      const payload = buffer.subarray(this.#pos, this.#pos + available)
      const took = this.#samples(payload, header.sampleBytes, rows)
      this.#pos += took
      this.#frameLeft -= took
    }
  }

  /**
   * An END line at the read position: the message, `undefined` when there is none, or
   * `'wait'` when the bytes so far could still become one.
   */
  #endLine(framed: boolean): PcapStreamMessage | 'wait' | undefined {
    const buffer = this.#buffer
    const left = buffer.length - this.#pos
    if (!startsWith(buffer, this.#pos, 'END'.slice(0, Math.min(3, left)))) return undefined
    if (left < 4) return 'wait'
    if (!startsWith(buffer, this.#pos, framed ? 'END' : 'END ')) return undefined
    const newline = buffer.indexOf(NEWLINE, this.#pos)
    if (newline < 0) return framed || left < MAX_END_LINE ? 'wait' : undefined
    const line = latin1.decode(buffer.subarray(this.#pos, newline))
    const text = line.endsWith('\r') ? line.slice(0, -1) : line
    if (!framed && !END_LINE.test(text)) return undefined
    const raw = buffer.subarray(this.#pos, newline + 1)
    this.#pos = newline + 1
    return this.#end(text, raw)
  }

  /** Takes the samples of framed payload `bytes`, carrying a cut one over; returns bytes used. */
  #samples(bytes: Uint8Array, size: number, rows: Uint8Array[]): number {
    let at = 0
    if (this.#partial.length > 0) {
      const need = size - this.#partial.length
      const piece = bytes.subarray(0, need)
      const joined = new Uint8Array(this.#partial.length + piece.length)
      joined.set(this.#partial)
      joined.set(piece, this.#partial.length)
      at = piece.length
      if (joined.length < size) {
        this.#partial = joined
        return at
      }
      rows.push(joined)
      this.#partial = new Uint8Array(0)
    }
    for (; bytes.length - at >= size; at += size) rows.push(bytes.subarray(at, at + size))
    if (at < bytes.length) {
      // The rest of this frame is the start of a sample that continues in the next frame.
      this.#partial = Uint8Array.from(bytes.subarray(at))
      at = bytes.length
    }
    return at
  }
}
