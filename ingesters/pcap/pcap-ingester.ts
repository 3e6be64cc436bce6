import type { ControlPlane } from '../../src/index.js'
import { createIngester, type Ingester } from '../base/create-ingester.js'
import type { IngesterConfig } from '../base/ingester-config.js'
import type { IngesterLogger } from '../base/ingester-logger.js'
import type { PcapTcpUpstreamOptions } from './pcap-tcp-options.js'
import { createPcapTcpUpstreamFactory } from './pcap-tcp-upstream.js'
import { createPcapZmqUpstreamFactory, type PcapZmqUpstreamOptions } from './pcap-zmq-upstream.js'

/** What the PandABox ingesters need besides their config. */
export interface PcapIngesterDeps {
  readonly plane: ControlPlane
  readonly logger?: IngesterLogger
}

/**
 * Create (not start) an ingester for a PandABox data port (TCP 8889): the generic ingester
 * with a TCP upstream that sends the capture options and forwards one event per sample.
 */
export function createPcapIngester(
  config: IngesterConfig,
  upstream: PcapTcpUpstreamOptions,
  deps: PcapIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createPcapTcpUpstreamFactory(upstream) })
}

/**
 * Create (not start) an ingester for the PandABox zmq JSON envelope: the generic ingester with
 * a SUB upstream (one event per row by default, or per message).
 */
export function createPcapZmqIngester(
  config: IngesterConfig,
  upstream: PcapZmqUpstreamOptions,
  deps: PcapIngesterDeps,
): Ingester {
  return createIngester(config, { ...deps, upstream: createPcapZmqUpstreamFactory(upstream) })
}
