import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import {
  createEigerLegacyUpstreamFactory,
  type EigerLegacyUpstreamOptions,
} from './eiger-legacy-upstream.js'

/** What {@link createEigerLegacyIngester} needs besides its config. */
export interface EigerLegacyIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for a DECTRIS Eiger speaking Stream V1 (the legacy
 * `dheader-1.0` protocol): the generic ingester with a PULL upstream to `upstream.url`.
 */
export function createEigerLegacyIngester(
  config: IngesterConfig,
  upstream: EigerLegacyUpstreamOptions,
  deps: EigerLegacyIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createEigerLegacyUpstreamFactory(upstream) })
}
