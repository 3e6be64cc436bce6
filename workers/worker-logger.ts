/** A worker's logger: the kit's one {@link Logger} (src/service/logger.ts). */
export type { Logger as WorkerLogger } from '../src/internal.js'
export { silentLogger } from '../src/internal.js'
