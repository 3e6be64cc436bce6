import { ProtocolError } from '../errors.js'
import type { StreamData } from '../protocol/event.js'
import { ALBAEM_TYP, type AlbaemMessage, parseAlbaem } from './albaem/parse-albaem.js'
import { CONTRAST_TYP, type ContrastMessage, parseContrast } from './contrast/parse-contrast.js'
import {
  EIGER_LEGACY_TYP,
  type EigerLegacyMessage,
  parseEigerLegacy,
} from './eiger-legacy/parse-eiger-legacy.js'
import { EIGER_V2_TYP, type EigerV2Message, parseEigerV2 } from './eiger-v2/parse-eiger-v2.js'
import { LECROY_TYP, type LecroyMessage, parseLecroy } from './lecroy/parse-lecroy.js'
import { PCAP_RAW_TYP, type PcapRawMessage, parsePcapRawFrames } from './pcap/parse-pcap-raw.js'
import { PCAP_TYP, type PcapZmqMessage, parsePcapZmq } from './pcap/parse-pcap-zmq.js'
import { parseSardana, SARDANA_TYP, type SardanaMessage } from './sardana/parse-sardana.js'
import { parseStins, STINS_TYP, type StinsMessage } from './stins/parse-stins.js'
import { parseXspress3, XSPRESS3_TYP, type Xspress3Message } from './xspress3/parse-xspress3.js'

/** What {@link parseStream} returns: the message of whichever protocol the stream speaks. */
export type DeviceStreamMessage =
  | ({ readonly protocol: 'stins' } & StinsMessage)
  | ({ readonly protocol: 'eiger-legacy' } & EigerLegacyMessage)
  | ({ readonly protocol: 'eiger-v2' } & EigerV2Message)
  | ({ readonly protocol: 'xspress3' } & Xspress3Message)
  | ({ readonly protocol: 'pcap' } & PcapZmqMessage)
  | ({ readonly protocol: 'pcap-raw' } & PcapRawMessage)
  | ({ readonly protocol: 'contrast' } & ContrastMessage)
  | ({ readonly protocol: 'sardana' } & SardanaMessage)
  | ({ readonly protocol: 'albaem' } & AlbaemMessage)
  | ({ readonly protocol: 'lecroy' } & LecroyMessage)

/**
 * Parse one event's frames of a stream with the parser of its `typ` (the typ strings are
 * Dranspose's, so recordings of either system dispatch the same way). The result carries
 * `protocol` besides the parser's own `kind`.
 *
 * PandABox TCP (`PCAP_RAW`) samples need the header of their acquisition: this stateless entry
 * point handles header, end and self-contained `[header, samples]` events; use a
 * `PcapRawParser` per stream for a whole acquisition.
 *
 * Pass the stream's `name` (the key in `event.streams`) and a parse error says which stream it
 * was: its message starts with `stream '<name>': ` and its `stream` field holds the name, so
 * the worker counts the failed event under that stream (docs/analysis.md).
 * @throws ProtocolError for an unknown `typ`, and whatever the protocol's parser throws
 *   (`PROTOCOL_INVALID`, `DECODE_FAILED`), with `stream` set when `name` is given.
 */
export function parseStream(stream: StreamData, name?: string): DeviceStreamMessage {
  if (name === undefined) return parseByTyp(stream)
  try {
    return parseByTyp(stream)
  } catch (err) {
    if (!(err instanceof ProtocolError) || err.stream !== undefined) throw err
    throw new ProtocolError(`stream '${name}': ${err.message}`, {
      cause: err,
      code: err.code,
      stream: name,
    })
  }
}

function parseByTyp(stream: StreamData): DeviceStreamMessage {
  switch (stream.typ) {
    case STINS_TYP:
      return { protocol: 'stins', ...parseStins(stream) }
    case EIGER_LEGACY_TYP:
      return { protocol: 'eiger-legacy', ...parseEigerLegacy(stream) }
    case EIGER_V2_TYP:
      return { protocol: 'eiger-v2', ...parseEigerV2(stream) }
    case XSPRESS3_TYP:
      return { protocol: 'xspress3', ...parseXspress3(stream) }
    case PCAP_TYP:
      return { protocol: 'pcap', ...parsePcapZmq(stream) }
    case PCAP_RAW_TYP:
      return { protocol: 'pcap-raw', ...parsePcapRawFrames(stream.frames) }
    case CONTRAST_TYP:
      return { protocol: 'contrast', ...parseContrast(stream) }
    case SARDANA_TYP:
      return { protocol: 'sardana', ...parseSardana(stream) }
    case ALBAEM_TYP:
      return { protocol: 'albaem', ...parseAlbaem(stream) }
    case LECROY_TYP:
      return { protocol: 'lecroy', ...parseLecroy(stream) }
    default:
      throw new ProtocolError(`no parser for stream typ '${stream.typ}'`)
  }
}
