import { type ControlPlane, type ScanId, ServiceBase } from '../../src/internal.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import type { ScanSessionStats } from '../base/scan-session.js'
import {
  createSardanaUpstreamFactory,
  type SardanaUpstreamFactory,
  type SardanaUpstreamOptions,
} from './sardana-upstream.js'

/** What {@link createSardanaIngester} needs besides its config. */
export interface SardanaIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/** A Sardana ingester: the generic ingester plus the HTTP listener Sardana posts to. */
export interface SardanaIngester extends Ingester {
  /** Where Sardana posts (the bound address). @throws StateError before start. */
  readonly url: string
  /** The listener's counters. */
  readonly upstream: SardanaUpstreamFactory
}

class SardanaIngesterService extends ServiceBase implements SardanaIngester {
  readonly upstream: SardanaUpstreamFactory
  readonly #ingester: Ingester

  constructor(config: IngesterConfig, options: SardanaUpstreamOptions, deps: SardanaIngesterDeps) {
    const upstream = createSardanaUpstreamFactory(options)
    const ingester = createIngester(config, { ...deps, upstream })
    super(ingester.name)
    this.upstream = upstream
    this.#ingester = ingester
  }

  get url(): string {
    return this.upstream.url
  }

  get endpoint(): string {
    return this.#ingester.endpoint
  }

  get scanId(): ScanId | undefined {
    return this.#ingester.scanId
  }

  get metrics(): Ingester['metrics'] {
    return this.#ingester.metrics
  }

  get metricsUrl(): string | undefined {
    return this.#ingester.metricsUrl
  }

  get router() {
    return this.#ingester.router
  }

  stats(): ScanSessionStats | undefined {
    return this.#ingester.stats()
  }

  protected override async onStart(): Promise<void> {
    const upstream = this.upstream
    this.addCloseStep('listener', () => upstream.close())
    await upstream.start()
    const ingester = this.#ingester
    this.addCloseStep('ingester', ({ force }) => ingester.close({ force }))
    await ingester.start()
    void ingester.closed.then((err) => err && this.fail(err))
  }
}

/**
 * Create (not start) an ingester for Sardana: `start()` listens at `upstream.url` for
 * Sardana's POSTs (`/v1/data_desc`, `/v1/record_data`, `/v1/record_end`) for as long as the
 * ingester runs, then starts the generic ingester, whose scans read the posted bodies in order
 * (one frame each). `close()` stops the ingester, then the listener.
 */
export function createSardanaIngester(
  config: IngesterConfig,
  upstream: SardanaUpstreamOptions,
  deps: SardanaIngesterDeps,
): SardanaIngester {
  return new SardanaIngesterService(config, upstream, deps)
}
