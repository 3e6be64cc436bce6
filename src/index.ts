/**
 * beamloom's public API. Everything a user module, a role folder or a tool may use is exported
 * here by name.
 */

export { ReducerHost, WorkerHost } from './analysis/analysis-host.js'
export type {
  AnalysisInit,
  AnalysisState,
  ReducerAnalysis,
  ReducerClass,
  WorkerAnalysis,
  WorkerClass,
} from './analysis/contract.js'
export {
  type LoadedModule,
  loadReducerClass,
  loadWorkerClass,
  type ModuleSpec,
  parseModuleSpec,
} from './analysis/load-analysis-module.js'
export {
  ParameterFile,
  ParameterFileEntry,
  parseParameterFile,
  readParameterFile,
} from './analysis/parameter-file.js'
export {
  encodeParameterValue,
  makeParameter,
  mergeDescriptions,
  ParameterDescription,
  type ParameterDescriptionInput,
  type Parameters,
  type ParameterValue,
  parametersHash,
  parseParameterDescriptions,
  parseParameterValue,
  resolveParameters,
  type WorkParameter,
} from './analysis/parameters.js'
export { TickClock } from './analysis/tick-clock.js'
export { bitshuffleBlock, bitunshuffleBlock } from './codec/bitshuffle.js'
export {
  type BitshuffleLz4DecodeOptions,
  type BitshuffleLz4Result,
  decodeBitshuffleLz4,
} from './codec/bitshuffle-lz4.js'
export {
  type BitshuffleLz4EncodeOptions,
  encodeBitshuffleLz4,
} from './codec/bitshuffle-lz4-encode.js'
export {
  BITSHUFFLE_LZ4_HEADER_BYTES,
  type BitshuffleLz4Header,
  defaultBlockElements,
  readBitshuffleLz4Header,
} from './codec/bitshuffle-lz4-header.js'
export { decompressLz4Block, type Lz4BlockDecompressor } from './codec/lz4-block.js'
export {
  compressLz4Block,
  type Lz4BlockCompressor,
  lz4BlockBound,
} from './codec/lz4-block-compress.js'
export { toJsonValue } from './codec/publish-json.js'
export { decodeRawCapture } from './codec/raw-capture-decode.js'
export { type RawCaptureReadOptions, readRawCapture } from './codec/raw-capture-reader.js'
export {
  createRawCaptureWriter,
  encodeRawCaptureItem,
  type RawCaptureWriteOptions,
  type RawCaptureWriter,
} from './codec/raw-capture-writer.js'
export { decodeRecording, parseRecord, type RecordParse } from './codec/recording-decode.js'
export { encodeRecord, type RecordEncodeOptions } from './codec/recording-encode.js'
export { type RecordingReadOptions, readRecording } from './codec/recording-reader.js'
export { RECORDING_TAGS } from './codec/recording-tags.js'
export {
  createRecordingWriter,
  type RecordingWriteOptions,
  type RecordingWriter,
} from './codec/recording-writer.js'
export { decodePayload, encodePayload } from './codec/result-payload.js'
export {
  bytesOf,
  DTYPE_NAMES,
  type Dtype,
  type DtypeName,
  dtypeOf,
  dtypeTypestr,
  HOST_LITTLE_ENDIAN,
  type NumericArray,
  parseDtype,
  shapeSize,
  viewAs,
} from './devices/dtype.js'
export { decodeStinsBlob, type StinsBlobLayout } from './devices/stins/decode-stins-blob.js'
export {
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  type StinsEndInput,
  type StinsExtraFields,
  type StinsHeaderInput,
  type StinsImageInput,
} from './devices/stins/encode-stins.js'
export {
  type ParseStinsOptions,
  parseStins,
  parseStinsFrames,
  STINS_TYP,
  type StinsData,
  type StinsEnd,
  type StinsMessage,
  type StinsStart,
} from './devices/stins/parse-stins.js'
export {
  StinsCompression,
  StinsEndJson,
  StinsHeaderJson,
  StinsImageJson,
} from './devices/stins/stins-messages.js'
export type { ErrorCode } from './errors.js'
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
export {
  Assigner,
  type AssignerOptions,
  type AssignerStats,
  type AssignmentBatch,
  type CompletionResult,
  Constraint,
  compileScanPlan,
  type EventAssignment,
  type EventCompletion,
  type EventLocation,
  type EventRange,
  EventRangeSet,
  GENERIC_TAG,
  type Grant,
  MAIN_PART,
  MappingInvalidError,
  type MappingIssue,
  PartName,
  parseAllWrap,
  parseSequence,
  parseTriggerMap,
  ScanPlan,
  type ScanPlanOptions,
  Sequence,
  START_END_PART,
  type StreamRoute,
  sequenceFromTriggerMap,
  TriggerMap,
  TriggerMapEntry,
  triggerMapLength,
  uniformSequence,
  uniformTriggerMap,
  VirtualWorker,
  type WorkerRemoval,
  WorkerTag,
} from './mapping/index.js'
export type { EventData, ResultData, StreamData, WorkerMessage } from './protocol/event.js'
export { streamNamesOf } from './protocol/event.js'
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
