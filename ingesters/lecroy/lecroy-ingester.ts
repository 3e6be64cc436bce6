import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { createLecroyUpstreamFactory, type LecroyUpstreamOptions } from './lecroy-upstream.js'

/** What {@link createLecroyIngester} needs besides its config. */
export interface LecroyIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for a LeCroy oscilloscope (MAUI bridge): the generic ingester with a SUB
 * upstream to `upstream.url`.
 */
export function createLecroyIngester(
  config: IngesterConfig,
  upstream: LecroyUpstreamOptions,
  deps: LecroyIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createLecroyUpstreamFactory(upstream) })
}
