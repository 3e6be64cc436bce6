import type { UpstreamFactory } from '../base/upstream.js'

/**
 * An upstream factory for a device that sends to the ingester (Sardana POSTs over HTTP): it
 * owns a listener that must run for as long as the ingester runs, not only during a scan, so
 * whoever creates the ingester starts it before and closes it after.
 */
export interface ListeningUpstreamFactory extends UpstreamFactory {
  /** Bind the listener. Rejects with `CONFIG_INVALID` when the address is bad or taken. */
  start(): Promise<void>
  /** Stop listening; idempotent, never rejects. */
  close(): Promise<void>
  /** The address the device sends to, with the bound port. @throws StateError before start. */
  readonly url: string
}

/** Guard: does this factory own a listener to start and close? */
export function isListeningUpstreamFactory(
  factory: UpstreamFactory,
): factory is ListeningUpstreamFactory {
  const f = factory as Partial<ListeningUpstreamFactory>
  return typeof f.start === 'function' && typeof f.close === 'function'
}
