/**
 * The analysis runtime without the live system: loading analysis modules (TypeScript and
 * Python), running them inline, parameters, recordings and HDF5 stacks, events assigned to
 * workers by the controller's rules (`TurnAssigner`, pure), and the ids, errors and logging they
 * use — what `beamloom replay` needs. Nothing here opens a socket or loads the
 * HTTP, Redis or zmq libraries, so a command built on it starts fast (issue 14: `replay` of a
 * small recording in ≤ 0.4 s). Python runners and sources and HDF5 stacks are in
 * `src/analysis-runtime-lazy.ts`, which a replay imports only when it uses them. Internal, like
 * `src/internal.ts` (which exports all of these too); role folders and `cli/` import `src/`
 * through one of these.
 */

export type {
  CallOutcome,
  ReducerRunner,
  RunnerLimits,
  WorkerRunner,
} from './analysis/analysis-runner.js'
export {
  analysisError,
  callFailure,
  type EventVerdict,
  eventVerdict,
  nextTimerS,
  type ProcessEvents,
  runEvents,
} from './analysis/call-verdicts.js'
export { createInlineReducerRunner } from './analysis/inline-reducer-runner.js'
export { createInlineWorkerRunner } from './analysis/inline-worker-runner.js'
export {
  isPythonModule,
  loadReducerClass,
  loadSourceClass,
  loadWorkerClass,
  parseModuleSpec,
} from './analysis/load-analysis-module.js'
export { type ModuleDigest, moduleDigest } from './analysis/module-digest.js'
export { readParameterFile } from './analysis/parameter-file.js'
export {
  mergeDescriptions,
  ParameterDescription,
  type Parameters,
  parametersHash,
  parseParameterValue,
  resolveParameters,
} from './analysis/parameters.js'
export type { HostLog } from './analysis/python/python-host.js'
export { TickClock } from './analysis/tick-clock.js'
export { toJsonValue } from './codec/publish-json.js'
export { readRecording } from './codec/recording-reader.js'
export { formatIssues } from './config/format-issues.js'
export {
  defaultLogLevel,
  type LogConfig,
  type LogLevelName,
  type LogRole,
  parseLogEnv,
} from './config/log-env.js'
export { STINS_TYP } from './devices/stins/parse-stins.js'
export { StinsCompression } from './devices/stins/stins-messages.js'
export { stinsSeries } from './devices/stins/stins-series.js'
export {
  AnalysisError,
  BeamloomError,
  ConfigError,
  isBeamloomError,
  ProtocolError,
} from './errors.js'
export { TurnAssigner } from './mapping/turn-assigner.js'
export type { EventData, StreamData, WorkerMessage } from './protocol/event.js'
export { eventNumber, WorkerName, workerName } from './protocol/ids.js'
export { createProcessLogger, type ProcessLoggerOptions } from './service/process-logger.js'
