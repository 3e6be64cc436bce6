/**
 * The worker role: what `cli/` (and tests) use to run a worker. See docs/workers.md.
 */
export { CreditWindow } from './credit-window.js'
export { type EntryOutcome, EventAssembler, type ReadyEvent } from './event-assembler.js'
export {
  parseWorkerConfig,
  parseWorkerEnv,
  WorkerConfig,
  type WorkerConfigInput,
  WorkerEnvSpec,
  type WorkerProcessConfig,
} from './worker-config.js'
export { silentLogger, type WorkerLogger } from './worker-logger.js'
export { createWorker, type WorkerDeps, WorkerService } from './worker-service.js'
