/**
 * The reducer role: its service, HTTP API and config. `cli/` imports it from here.
 */

export { CompletionBatch } from './completion-batch.js'
export { DedupSet, type DedupSetOptions } from './dedup-set.js'
export { H5Files } from './hdf5-file/h5-files.js'
export {
  type H5FileMeta,
  type H5WriteReport,
  writePublishH5,
} from './hdf5-file/write-publish-h5.js'
export { type Hdf5RestView, registerHdf5Rest } from './hdf5-rest/register-hdf5-rest.js'
export { type NexusEntry, nexusEntry } from './nexus/nexus-entry.js'
export { type ScanEndState, type ScanMetadata, scanMetadataJson } from './nexus/scan-metadata.js'
export { type PublishSelection, selectPublishPath } from './publish-path.js'
export { buildReducerApp, type ReducerStatus, type ReducerView } from './reducer-app.js'
export { parseReducerEnv, ReducerEnvSpec, type ReducerProcessConfig } from './reducer-env.js'
export { ReducerMetrics } from './reducer-metrics.js'
export { CorsOrigin, ReducerOptions, type ReducerOptionsInput } from './reducer-options.js'
export { createReducer, Reducer, type ReducerDeps } from './reducer-service.js'
export { ScanDurability } from './scan-durability.js'
export type { ScanCounts, ScanRunStatus } from './scan-run.js'
export { ScanRun } from './scan-run.js'
