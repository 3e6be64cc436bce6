/**
 * beamloom's internal API: the engine as the role folders (`workers/`, `reducer/`, `ingesters/`,
 * `autoscaler/`), `cli/`, `bench/` and the tests use it, exported by name. Role folders import
 * `src/` only through this file (a lint rule in biome.json enforces it). What analysis authors
 * and embedders use is the public API, `src/index.ts` (the package's entry point); names here
 * may change without notice.
 */

export { ReducerHost, WorkerHost } from './analysis/analysis-host.js'
export type {
  AnalysisRunnerBase,
  CallOutcome,
  ReducerRunner,
  RunnerEvent,
  RunnerKind,
  RunnerLimits,
  RunnerResult,
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
export type {
  AnalysisInit,
  AnalysisState,
  ReducerAnalysis,
  ReducerClass,
  WorkerAnalysis,
  WorkerClass,
} from './analysis/contract.js'
export { createInlineReducerRunner } from './analysis/inline-reducer-runner.js'
export {
  type CallWatch,
  createInlineWorkerRunner,
  failedOutcome,
} from './analysis/inline-worker-runner.js'
export {
  isPythonModule,
  type LoadedModule,
  loadReducerClass,
  loadSourceClass,
  loadWorkerClass,
  type ModuleSpec,
  parseModuleSpec,
  type SourceClass,
} from './analysis/load-analysis-module.js'
export { type ModuleDigest, moduleDigest } from './analysis/module-digest.js'
export {
  ParameterFile,
  ParameterFileEntry,
  parseParameterFile,
  readParameterFile,
} from './analysis/parameter-file.js'
export {
  ParameterTracker,
  parametersJson,
  type RejectedParameter,
  type ResolvedParameters,
} from './analysis/parameter-tracker.js'
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
export { DEFAULT_PYTHON, pythonFromEnv } from './analysis/python/python-paths.js'
export { createPythonReducerRunner } from './analysis/python/python-reducer-runner.js'
export type { PythonRunnerOptions } from './analysis/python/python-runner-options.js'
export {
  openPythonSource,
  type PythonSource,
  type PythonSourceOptions,
} from './analysis/python/python-source.js'
export { createPythonWorkerRunner } from './analysis/python/python-worker-runner.js'
export {
  createThreadWorkerRunner,
  type ThreadWorkerRunnerOptions,
} from './analysis/thread/thread-worker-runner.js'
export { TickClock } from './analysis/tick-clock.js'
export { DeadlineExceeded, runWithDeadline } from './analysis/vm-deadline.js'
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
export { type CborScan, scanCborItem } from './codec/cbor-scan.js'
export { type Hdf5Stack, type Hdf5StackMember, openHdf5Stack } from './codec/hdf5/hdf5-stack.js'
export { parseJsonBytes } from './codec/json-bytes.js'
export { decompressLz4Block, type Lz4BlockDecompressor } from './codec/lz4-block.js'
export {
  compressLz4Block,
  type Lz4BlockCompressor,
  lz4BlockBound,
} from './codec/lz4-block-compress.js'
export { type ReadPickleOptions, readPickle } from './codec/pickle-reader.js'
export {
  isNumpyArray,
  isPickleDict,
  NumpyArray,
  type PickleDict,
  type PickleValue,
} from './codec/pickle-value.js'
export {
  PickleFloat,
  PickleTuple,
  type PickleWritable,
  toNumpyArray,
  type WritePickleOptions,
  writePickle,
} from './codec/pickle-writer.js'
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
  type ControlPlaneConfig,
  ControlPlaneEnv,
  type ControlPlaneVariable,
} from './config/control-plane-env.js'
export {
  DATA_PATH_ENV,
  DATA_PATH_NODE_FLAGS,
  DATA_PATH_ROLES,
  missingDataPathEnv,
  missingDataPathFlags,
} from './config/data-path-flags.js'
export { parseDataPlaneEnv } from './config/data-plane-env.js'
export {
  applyDransposeEnv,
  DRANSPOSE_ENV_ALIASES,
  type DransposeEnvAlias,
  type EnvRole,
  type FlatEnv,
} from './config/dranspose-env.js'
export { envReaderOf, optionSchemas } from './config/env-reader.js'
export {
  EnvRead,
  type EnvSetting,
  envName,
  type ResolvedSetting,
  resolveSetting,
} from './config/env-setting.js'
export {
  type FlagTarget,
  type FlagTargets,
  flagEnvNames,
  layFlags,
  type SpecOption,
} from './config/flag-env.js'
export {
  type FormatIssuesOptions,
  formatIssues,
  type IssueLike,
  type ListedIssue,
  listIssues,
} from './config/format-issues.js'
export {
  DEPRECATED_LOG_LEVEL_VARIABLES,
  type DeprecatedLogLevelVariable,
  defaultLogLevel,
  type LogConfig,
  LogEnv,
  LogFormat,
  type LogLevelName,
  LogLevelSetting,
  type LogRole,
  parseLogEnv,
} from './config/log-env.js'
export { parseRedisUrl, RedisUrl, type RedisUrlParts, redactRedisUrl } from './config/redis-url.js'
export {
  envNames,
  optionEnvName,
  parseConfig,
  parseRoleEnv,
  type RoleEnv,
  type RoleEnvSpec,
} from './config/role-env.js'
export {
  type ControlKeys,
  controlKeys,
  decodeKeySegment,
  KeyPrefix,
} from './control/control-keys.js'
export {
  type ControlPlane,
  type ControlValue,
  DEFAULT_XREAD_COUNT,
  type SetOptions,
  STREAM_START,
  type StreamEntry,
  type StreamEntryId,
  type XAddOptions,
  type XRangeOptions,
  type XReadOptions,
} from './control/control-plane.js'
export { type FollowOptions, followStream, lastStreamId } from './control/follow-stream.js'
export {
  createLogStream,
  LogEntry,
  type LoggedEntry,
  LogLevel,
  type LogStream,
  type LogStreamOptions,
} from './control/log-stream.js'
export {
  createMemoryControlPlane,
  type MemoryControlPlaneOptions,
} from './control/memory-control-plane.js'
export { MemoryStore, type MemoryStoreOptions, toBytes } from './control/memory-store.js'
export {
  createParameterStore,
  PARAMETER_HISTORY_MAX_LEN,
  ParameterChange,
  type ParameterChangeEntry,
  type ParameterSnapshot,
  type ParameterStore,
} from './control/parameter-store.js'
export { createPortControlPlane, serveControlPlane } from './control/port-control-plane.js'
export {
  type ProcessChange,
  ProcessEvent,
  ProcessInfo,
  ProcessRole,
} from './control/process-info.js'
export {
  PROCESS_EVENTS_MAX_LEN,
  type ProcessInfoUpdate,
  ProcessRegistration,
} from './control/process-registration.js'
export {
  createProcessRegistry,
  DEFAULT_HEARTBEAT_MS,
  type ProcessRegistry,
  type ProcessRegistryOptions,
  type RegisterOptions,
  type WatchOptions,
} from './control/process-registry.js'
export {
  createRedisControlPlane,
  type RedisControlPlaneHooks,
} from './control/redis-control-plane.js'
export {
  ioredisOptions,
  type RedisControlPlaneInput,
  RedisControlPlaneOptions,
  reconnectDelayMs,
} from './control/redis-options.js'
export {
  createRoleControlPlane,
  type PlaneLogger,
  type RoleControlPlaneOptions,
} from './control/role-control-plane.js'
export {
  findRunningScan,
  followScans,
  parseScanUpdate,
  readScanState,
  SCAN_UPDATES_MAX_LEN,
  type ScanEnd,
  type ScanHandlers,
  type ScanRejoinPoint,
} from './control/scan-follower.js'
export {
  compareStreamIds,
  formatStreamId,
  parseStreamId,
  rangeBound,
  type StreamIdParts,
} from './control/stream-id.js'
export {
  type ControllerConfig,
  ControllerEnv,
  ControllerEnvSpec,
  ControllerSettings,
  parseControllerEnv,
} from './controller/controller-config.js'
export { isUpstreamLost, UPSTREAM_LOST } from './controller/upstream-lost.js'
export {
  type AlbaemChannelNaming,
  type AlbaemDataInput,
  encodeAlbaemData,
  encodeAlbaemEnd,
  encodeAlbaemStart,
} from './devices/albaem/encode-albaem.js'
export {
  ALBAEM_TYP,
  type AlbaemChannel,
  type AlbaemData,
  type AlbaemEnd,
  type AlbaemMessage,
  type AlbaemStart,
  parseAlbaem,
  parseAlbaemFrames,
} from './devices/albaem/parse-albaem.js'
export {
  type ContrastInput,
  type ContrastScanInfo,
  encodeContrastMessage,
} from './devices/contrast/encode-contrast.js'
export {
  CONTRAST_TYP,
  type ContrastData,
  type ContrastEnd,
  type ContrastHeartbeat,
  type ContrastMessage,
  type ContrastStart,
  parseContrast,
  parseContrastFrames,
} from './devices/contrast/parse-contrast.js'
export {
  type CommonMessageKind,
  type DeviceMessage,
  isMessageKind,
} from './devices/device-message.js'
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
export {
  type EigerLegacyArrayInput,
  type EigerLegacyHeaderInput,
  type EigerLegacyImageInput,
  encodeEigerLegacyEnd,
  encodeEigerLegacyHeader,
  encodeEigerLegacyImage,
} from './devices/eiger-legacy/encode-eiger-legacy.js'
export {
  EIGER_LEGACY_TYP,
  type EigerLegacyData,
  type EigerLegacyEnd,
  type EigerLegacyMessage,
  type EigerLegacyStart,
  type ParseEigerLegacyOptions,
  parseEigerLegacy,
  parseEigerLegacyFrames,
} from './devices/eiger-legacy/parse-eiger-legacy.js'
export {
  type EigerV2ArrayInput,
  type EigerV2ExtraFields,
  type EigerV2ImageInput,
  type EigerV2StartInput,
  encodeEigerV2End,
  encodeEigerV2Image,
  encodeEigerV2Start,
} from './devices/eiger-v2/encode-eiger-v2.js'
export {
  EIGER_V2_TYP,
  type EigerV2End,
  type EigerV2Image,
  type EigerV2Message,
  type EigerV2Start,
  type ParseEigerV2Options,
  parseEigerV2,
  parseEigerV2Frames,
} from './devices/eiger-v2/parse-eiger-v2.js'
export {
  encodeLecroyPrepare,
  encodeLecroySeqEnd,
  encodeLecroySeqStart,
  encodeLecroyStop,
  encodeLecroyTraces,
  type LecroySeqStartInput,
  type LecroyTracesInput,
} from './devices/lecroy/encode-lecroy.js'
export {
  LECROY_TYP,
  type LecroyData,
  type LecroyEnd,
  type LecroyMessage,
  type LecroyStart,
  type LecroyTrace,
  parseLecroy,
  parseLecroyFrames,
} from './devices/lecroy/parse-lecroy.js'
export { type EventMessages, parseEvent } from './devices/parse-event.js'
export { type DeviceStreamMessage, parseStream } from './devices/parse-stream.js'
export {
  encodePcapEnd,
  encodePcapHeader,
  encodePcapRows,
  type PcapFieldInput,
  type PcapHeaderInput,
  pcapRowsFromColumns,
} from './devices/pcap/encode-pcap-raw.js'
export {
  encodePcapZmqData,
  encodePcapZmqEnd,
  encodePcapZmqStart,
} from './devices/pcap/encode-pcap-zmq.js'
export {
  PCAP_RAW_TYP,
  type PcapRawEnd,
  type PcapRawMessage,
  PcapRawParser,
  type PcapRawRows,
  type PcapRawStart,
  parsePcapRawFrames,
  parsePcapRows,
} from './devices/pcap/parse-pcap-raw.js'
export {
  PCAP_TYP,
  type PcapZmqEnd,
  type PcapZmqMessage,
  type PcapZmqRows,
  type PcapZmqStart,
  parsePcapZmq,
  parsePcapZmqFrames,
} from './devices/pcap/parse-pcap-zmq.js'
export { type PcapStreamMessage, PcapStreamSplitter } from './devices/pcap/pcap-stream-splitter.js'
export {
  encodeSardanaBody,
  encodeSardanaDataDesc,
  encodeSardanaEnd,
  encodeSardanaRecord,
  SARDANA_PATHS,
  type SardanaDataDescInput,
} from './devices/sardana/encode-sardana.js'
export {
  parseSardana,
  parseSardanaFrames,
  SARDANA_TYP,
  type SardanaEnd,
  type SardanaMessage,
  type SardanaRecord,
  type SardanaStart,
} from './devices/sardana/parse-sardana.js'
export type { SardanaBodyType } from './devices/sardana/sardana-messages.js'
export { decodeStinsBlob, type StinsBlobLayout } from './devices/stins/decode-stins-blob.js'
export {
  encodeStinsEncodedImage,
  encodeStinsEnd,
  encodeStinsHeader,
  encodeStinsImage,
  type StinsEncodedImageInput,
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
export {
  type StinsFrameSource,
  type StinsSeriesOptions,
  stinsSeries,
} from './devices/stins/stins-series.js'
export {
  encodeXspress3End,
  encodeXspress3Frame,
  encodeXspress3Header,
  type Xspress3ExtraFields,
  type Xspress3FrameInput,
  type Xspress3HeaderInput,
} from './devices/xspress3/encode-xspress3.js'
export {
  parseXspress3,
  parseXspress3Frames,
  XSPRESS3_TYP,
  type Xspress3Data,
  type Xspress3End,
  type Xspress3Message,
  type Xspress3Start,
} from './devices/xspress3/parse-xspress3.js'
export type { ErrorCode } from './errors.js'
export {
  AnalysisError,
  BeamloomError,
  ConfigError,
  isBeamloomError,
  isErrorCode,
  ProtocolError,
  RecordingError,
  rootErrorCode,
  StateError,
  streamOfError,
  UpstreamClosedError,
} from './errors.js'
export {
  type AssignablePlan,
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
  OpenUniformPlan,
  type OpenUniformPlanOptions,
  openUniformPlan,
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
  TurnAssigner,
  triggerMapLength,
  uniformSequence,
  uniformTriggerMap,
  VirtualWorker,
  type WorkerRemoval,
  WorkerTag,
} from './mapping/index.js'
export { DATA_PLANE_VERSION, Layout, Slot, slot } from './protocol/data-plane.js'
export { decodeDataPlaneHeader, encodeDataPlaneHeader } from './protocol/data-plane-cbor.js'
export {
  type BatchedEvent,
  decodeEventBatch,
  type EventBatch,
  EventBatchHeader,
  encodeEventBatch,
} from './protocol/data-plane-event-batch.js'
export { EventBatchBuilder } from './protocol/data-plane-event-batch-builder.js'
export {
  decodeWorkerToIngester,
  encodeWorkerToIngester,
  WorkerBye,
  WorkerHello,
  WorkerToIngester,
} from './protocol/data-plane-peer.js'
export {
  decodeResultAck,
  encodeResultAck,
  ResultAck,
} from './protocol/data-plane-result-ack.js'
export {
  decodeResultBatch,
  encodeResultBatch,
  RESULT_OUTCOME,
  type ResultBatch,
  ResultBatchHeader,
  type ResultItem,
} from './protocol/data-plane-result-batch.js'
export { ResultBatchBuilder } from './protocol/data-plane-result-batch-builder.js'
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
export {
  encodeMissingFrame,
  isMissingFrame,
  MISSING_FRAME_TYP,
  missingFrameError,
} from './protocol/missing-frame.js'
export {
  AssignmentEntry,
  CompletionReport,
  CreditRequest,
  EventFault,
  parseControlJson,
  Range,
  RouteTuple,
  ScanState,
  ScanUpdate,
  SlotTuple,
  WorkerToController,
} from './protocol/scan-messages.js'
export { StreamField } from './protocol/stream-field.js'
export { aborted, isAbortError, sleep, toError } from './service/abort.js'
export { advertisedAddress, httpUrl } from './service/advertise.js'
export {
  defaultLogger,
  type LoggerFactory,
  setDefaultLoggerFactory,
  silentPino,
} from './service/default-logger.js'
export { warnIfExposed } from './service/exposure-warning.js'
export {
  type FailureFields,
  FailureLog,
  type FailureLogger,
  type FailureLogOptions,
} from './service/failure-log.js'
export { type Logger, silentLogger } from './service/logger.js'
export {
  createMetricsServer,
  MetricsServer,
  type MetricsServerOptions,
  type ServeMetricsOptions,
  startMetricsServer,
} from './service/metrics-server.js'
export {
  createProcessLogger,
  isPrettyLog,
  type ProcessLoggerOptions,
} from './service/process-logger.js'
export { backoffMs, type RetryOptions, retry } from './service/retry.js'
export { type RoleControlPlaneConfig, type RunRoleOptions, runRole } from './service/run-role.js'
export {
  type RunEvent,
  type RunWithSignalsOptions,
  runWithSignals,
  type SignalSource,
} from './service/run-with-signals.js'
export type { CloseOptions, Service, ServiceState } from './service/service.js'
export {
  type CloseStep,
  type CloseStepContext,
  type Loop,
  ServiceBase,
} from './service/service-base.js'
export { loadStaticFiles, type StaticFile } from './service/static-files.js'
export { Wakeup } from './service/wakeup.js'
export { bindEndpoint, connectEndpoint, DEFAULT_BIND_ADDRESS } from './transport/bind-endpoint.js'
export { CurveKeys, formatCurveKeyFile, generateCurveKeys } from './transport/curve-keys.js'
export {
  createIngesterRouter,
  IngesterRouter,
  type IngesterRouterOptions,
} from './transport/ingester-router.js'
export { isPeerUnreachable, PeerUnreachableError } from './transport/peer-unreachable-error.js'
export {
  type MessageHandler,
  type ReceivingSocket,
  type RunHandler,
  receiveLoop,
  receiveRuns,
} from './transport/receive-loop.js'
export {
  createResultReceiver,
  type ReceivedBatch,
  ResultReceiver,
  type ResultReceiverOptions,
} from './transport/result-receiver.js'
export {
  createResultSender,
  ResultSender,
  type ResultSenderOptions,
} from './transport/result-sender.js'
export {
  DATA_SOCKET_DEFAULTS,
  type DataSocketOptions,
  zmqSocketOptions,
} from './transport/socket-options.js'
export { ABORTED, untilAborted } from './transport/until-aborted.js'
export {
  createWorkerDealer,
  type WorkerDataReceive,
  WorkerDealer,
  type WorkerDealerOptions,
} from './transport/worker-dealer.js'
export { zmqErrorCode } from './transport/zmq-error.js'
export {
  FrameSlabs,
  type FrameSlabsOptions,
  type FrameSlabsStats,
  type PartMemory,
} from './transport/zmtp/frame-slabs.js'
export * from './transport/zmtp/index.js'
export {
  DEFAULT_DEVICE_QUEUE_BYTES,
  type ZmtpConnectionEvent,
  ZmtpDeviceReceiver,
  type ZmtpDeviceReceiverOptions,
  type ZmtpDeviceReceiverStats,
} from './transport/zmtp/zmtp-device-receiver.js'
