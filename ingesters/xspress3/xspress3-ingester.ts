import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { createXspress3UpstreamFactory, type Xspress3UpstreamOptions } from './xspress3-upstream.js'

/** What {@link createXspress3Ingester} needs besides its config. */
export interface Xspress3IngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for an Xspress3 fluorescence detector: the generic ingester
 * with a SUB upstream to `upstream.url`.
 */
export function createXspress3Ingester(
  config: IngesterConfig,
  upstream: Xspress3UpstreamOptions,
  deps: Xspress3IngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createXspress3UpstreamFactory(upstream) })
}
