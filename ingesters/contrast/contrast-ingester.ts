import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import { type ContrastUpstreamOptions, createContrastUpstreamFactory } from './contrast-upstream.js'

/** What {@link createContrastIngester} needs besides its config. */
export interface ContrastIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for Contrast, MAX IV's scan control: the generic ingester
 * with a SUB upstream to `upstream.url` (heartbeats skipped; `started`, each `running` point
 * and `finished`/`interrupted` are one event each).
 */
export function createContrastIngester(
  config: IngesterConfig,
  upstream: ContrastUpstreamOptions,
  deps: ContrastIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createContrastUpstreamFactory(upstream) })
}
