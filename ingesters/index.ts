/**
 * The ingester role: the generic ingester, its config, the device registry and the pieces a new
 * device is built from. `cli/` and the public API import it from here. See docs/ingesters.md.
 */

export { createIngester, type Ingester, type IngesterDeps } from './base/create-ingester.js'
export type {
  DeviceIngesterDeps,
  DeviceOption,
  DeviceOptionParser,
  DeviceOptionValues,
  IngestCommand,
  SimulateCommand,
} from './base/device-command.js'
export { DELIVER_EVERYTHING } from './base/device-command.js'
export type { DeviceType, SimulatorSpec } from './base/device-type.js'
export {
  IngesterConfig,
  type IngesterConfigInput,
  type IngesterEnvConfig,
  IngesterEnvSpec,
  ingesterName,
  parseIngesterEnv,
} from './base/ingester-config.js'
export type { IngesterLogger } from './base/ingester-logger.js'
export { IngesterMetrics } from './base/ingester-metrics.js'
export type {
  Upstream,
  UpstreamContext,
  UpstreamFactory,
  UpstreamMessage,
} from './base/upstream.js'
export {
  createZmqSimulator,
  type DeviceSimulator,
  type ZmqSimulatorOptions,
} from './base/zmq-simulator.js'
export { DEVICES, deviceType } from './devices.js'
export {
  isListeningUpstreamFactory,
  type ListeningUpstreamFactory,
} from './sardana/listening-upstream-factory.js'
export { createSardanaIngester, type SardanaIngester } from './sardana/sardana-ingester.js'

export { createSpotImages } from './stins/stins-images.js'
