import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { createStinsUpstreamFactory, type StinsUpstreamOptions } from './stins-upstream.js'

/** What {@link createStinsIngester} needs besides its config. */
export interface StinsIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for a STINS device (Eiger, Pilatus, Orca, Basler, Zyla behind
 * MAX IV's streaming-receiver): the generic ingester with a PULL upstream to `upstream.url`.
 */
export function createStinsIngester(
  config: IngesterConfig,
  upstream: StinsUpstreamOptions,
  deps: StinsIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createStinsUpstreamFactory(upstream) })
}
