import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { createEigerV2UpstreamFactory, type EigerV2UpstreamOptions } from './eiger-v2-upstream.js'

/** What {@link createEigerV2Ingester} needs besides its config. */
export interface EigerV2IngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for a DECTRIS Eiger speaking Stream V2 (CBOR): the generic
 * ingester with a PULL upstream to `upstream.url`.
 */
export function createEigerV2Ingester(
  config: IngesterConfig,
  upstream: EigerV2UpstreamOptions,
  deps: EigerV2IngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createEigerV2UpstreamFactory(upstream) })
}
