/**
 * beamloom's API for analysis modules (`import … from 'beamloom/analysis'`): the analysis
 * contract, events, parameters, ids, errors, the devices' parsers and encoders, recordings —
 * the analysis part of the public API (`src/index.ts` exports all of it too), without the live
 * system. Importing it loads no HTTP, Redis or zmq library, so `beamloom replay` of a module that
 * imports it starts fast. The same modules as the package's entry: classes are shared.
 */
// biome-ignore-all assist/source/organizeImports: grouped like src/index.ts, each group sorted

// Analysis modules: the contract, events, parameters, loading.
export type {
  AnalysisInit,
  AnalysisState,
  ReducerAnalysis,
  ReducerClass,
  WorkerAnalysis,
  WorkerClass,
} from './analysis/contract.js'
export {
  loadReducerClass,
  loadWorkerClass,
  parseModuleSpec,
} from './analysis/load-analysis-module.js'
export {
  makeParameter,
  ParameterDescription,
  type ParameterDescriptionInput,
  type Parameters,
  type ParameterValue,
} from './analysis/parameters.js'
export type {
  EventData,
  ResultData,
  StreamData,
  WorkerMessage,
} from './protocol/event.js'

// Ids (branded).
export {
  EventNumber,
  eventNumber,
  ParameterName,
  ScanId,
  StreamName,
  streamName,
  WorkerName,
  workerName,
} from './protocol/ids.js'

// Errors: branch on `code`.
export {
  AnalysisError,
  BeamloomError,
  ConfigError,
  isBeamloomError,
  ProtocolError,
  RecordingError,
  StateError,
  UpstreamClosedError,
} from './errors.js'

// The devices' frames: parsers for analyses (Dranspose's `parse`), encoders for sources.
export { decodeBitshuffleLz4 } from './codec/bitshuffle-lz4.js'
export {
  ALBAEM_TYP,
  type AlbaemMessage,
  parseAlbaem,
} from './devices/albaem/parse-albaem.js'
export {
  CONTRAST_TYP,
  type ContrastMessage,
  parseContrast,
} from './devices/contrast/parse-contrast.js'
export type { DeviceMessage } from './devices/device-message.js'
export {
  DTYPE_NAMES,
  type DtypeName,
  type NumericArray,
  viewAs,
} from './devices/dtype.js'
export {
  EIGER_LEGACY_TYP,
  type EigerLegacyMessage,
  parseEigerLegacy,
} from './devices/eiger-legacy/parse-eiger-legacy.js'
export {
  EIGER_V2_TYP,
  type EigerV2Message,
  parseEigerV2,
} from './devices/eiger-v2/parse-eiger-v2.js'
export {
  LECROY_TYP,
  type LecroyMessage,
  parseLecroy,
} from './devices/lecroy/parse-lecroy.js'
export { parseEvent } from './devices/parse-event.js'
export {
  type DeviceStreamMessage,
  parseStream,
} from './devices/parse-stream.js'
export {
  parsePcapRawFrames,
  PCAP_RAW_TYP,
  type PcapRawMessage,
} from './devices/pcap/parse-pcap-raw.js'
export {
  parsePcapZmq,
  PCAP_TYP,
  type PcapZmqMessage,
} from './devices/pcap/parse-pcap-zmq.js'
export {
  parseSardana,
  SARDANA_TYP,
  type SardanaMessage,
} from './devices/sardana/parse-sardana.js'
export {
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
} from './devices/stins/encode-stins.js'
export {
  parseStins,
  STINS_TYP,
  type StinsMessage,
} from './devices/stins/parse-stins.js'
export {
  parseXspress3,
  XSPRESS3_TYP,
  type Xspress3Message,
} from './devices/xspress3/parse-xspress3.js'

// Recordings (Dranspose's .cbors), raw captures, results as JSON, data-only pickles.
export { readPickle } from './codec/pickle-reader.js'
export { toJsonValue } from './codec/publish-json.js'
export { readRawCapture } from './codec/raw-capture-reader.js'
export { readRecording } from './codec/recording-reader.js'
export { createRecordingWriter } from './codec/recording-writer.js'
