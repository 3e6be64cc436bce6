import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { type AlbaemUpstreamOptions, createAlbaemUpstreamFactory } from './albaem-upstream.js'

/** What {@link createAlbaemIngester} needs besides its config. */
export interface AlbaemIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for an AlbaEM electrometer: the generic ingester with a SUB
 * upstream to `upstream.url`.
 */
export function createAlbaemIngester(
  config: IngesterConfig,
  upstream: AlbaemUpstreamOptions,
  deps: AlbaemIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createAlbaemUpstreamFactory(upstream) })
}
