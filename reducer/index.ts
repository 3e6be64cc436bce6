/**
 * The reducer role: its service, HTTP API and config. `cli/` imports it from here.
 */

export { CompletionBatch } from './completion-batch.js'
export { DedupSet, type DedupSetOptions } from './dedup-set.js'
export { type PublishSelection, selectPublishPath } from './publish-path.js'
export { buildReducerApp, type ReducerStatus, type ReducerView } from './reducer-app.js'
export { parseReducerEnv, ReducerEnv, type ReducerProcessConfig } from './reducer-env.js'
export { ReducerMetrics } from './reducer-metrics.js'
export { ReducerOptions, type ReducerOptionsInput } from './reducer-options.js'
export { createReducer, Reducer, type ReducerDeps } from './reducer-service.js'
export type { ScanCounts, ScanRunStatus } from './scan-run.js'
