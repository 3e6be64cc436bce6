/**
 * beamloom's public API, the package's entry point (`import … from 'beamloom'`): what analysis
 * authors use (the analysis contract, parameters, events, the device parsers, recordings,
 * errors) and what embedders use to run the roles in their own process (`createController`,
 * `createWorker`, `createReducer`, `createIngester`, control planes, the lifecycle). Exported by
 * name. The engine's other parts are internal (`src/internal.ts`, for the role folders) and may
 * change without notice.
 */

// biome-ignore-all assist/source/organizeImports: grouped by audience, each group sorted

// The four roles, side by side.
export {
  createIngester,
  createSardanaIngester,
  DEVICES,
  type DeviceSimulator,
  type DeviceType,
  deviceType,
  type Ingester,
  type IngesterConfigInput,
  type IngesterDeps,
  type IngesterLogger,
  parseIngesterEnv,
  type SardanaIngester,
  type SimulatorSpec,
  type Upstream,
  type UpstreamFactory,
  type UpstreamMessage,
} from '../ingesters/index.js'
export {
  buildReducerApp,
  createReducer,
  parseReducerEnv,
  type Reducer,
  type ReducerDeps,
  type ReducerOptionsInput,
} from '../reducer/index.js'
export {
  createWorker,
  parseWorkerEnv,
  type WorkerConfigInput,
  type WorkerDeps,
  type WorkerLogger,
  type WorkerService,
} from '../workers/index.js'
// Analysis modules: the contract, events, parameters, loading.
export type {
  AnalysisInit,
  AnalysisState,
  EventData,
  ParameterDescriptionInput,
  Parameters,
  ParameterValue,
  ReducerAnalysis,
  ReducerClass,
  ResultData,
  StreamData,
  WorkerAnalysis,
  WorkerClass,
  WorkerMessage,
} from './internal.js'
export {
  loadReducerClass,
  loadWorkerClass,
  makeParameter,
  ParameterDescription,
  parseModuleSpec,
} from './internal.js'

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
} from './internal.js'

// Errors: branch on `code`.
export type { ErrorCode } from './internal.js'
export {
  AnalysisError,
  BeamloomError,
  ConfigError,
  isBeamloomError,
  ProtocolError,
  RecordingError,
  StateError,
  UpstreamClosedError,
} from './internal.js'

// The devices' frames: parsers for analyses (Dranspose's `parse`), encoders for sources.
export type {
  AlbaemMessage,
  ContrastMessage,
  DeviceMessage,
  DeviceStreamMessage,
  DtypeName,
  EigerLegacyMessage,
  EigerV2Message,
  LecroyMessage,
  NumericArray,
  PcapRawMessage,
  PcapZmqMessage,
  SardanaMessage,
  StinsMessage,
  Xspress3Message,
} from './internal.js'
export {
  ALBAEM_TYP,
  CONTRAST_TYP,
  DTYPE_NAMES,
  decodeBitshuffleLz4,
  EIGER_LEGACY_TYP,
  EIGER_V2_TYP,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  LECROY_TYP,
  PCAP_RAW_TYP,
  PCAP_TYP,
  parseAlbaem,
  parseContrast,
  parseEigerLegacy,
  parseEigerV2,
  parseEvent,
  parseLecroy,
  parsePcapRawFrames,
  parsePcapZmq,
  parseSardana,
  parseStins,
  parseStream,
  parseXspress3,
  SARDANA_TYP,
  STINS_TYP,
  viewAs,
  XSPRESS3_TYP,
} from './internal.js'

// Recordings (Dranspose's .cbors), raw captures, results as JSON, data-only pickles.
export type { RecordingWriter } from './internal.js'
export {
  createRecordingWriter,
  readPickle,
  readRawCapture,
  readRecording,
  toJsonValue,
} from './internal.js'

// The controller, control planes and the lifecycle, for embedders.
export type { Controller, ControllerAppOptions, ControllerDeps } from './http.js'
export { buildControllerApp, createController } from './http.js'
export type {
  CloseOptions,
  ControlPlane,
  ControllerConfig,
  Service,
  ServiceState,
} from './internal.js'
export {
  createMemoryControlPlane,
  createProcessLogger,
  createRedisControlPlane,
  parseControllerEnv,
  runWithSignals,
} from './internal.js'
