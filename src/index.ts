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
export { toJsonValue } from './codec/publish-json.js'
export { decodePayload, encodePayload } from './codec/result-payload.js'
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
