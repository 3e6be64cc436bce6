import type { StreamName } from '../../src/internal.js'
import type { Upstream, UpstreamFactory } from './upstream.js'

/**
 * Wrap an upstream factory so that `mark` runs (and is awaited) once per scan, right after the
 * first message came from the device and before it is handed on. The ingester uses it to note
 * in the control plane that it has started reading a scan: an ingester that restarts after that
 * point cannot tell which device frame belongs to which event, and must not rejoin.
 */
export function markFirstRead(
  factory: UpstreamFactory,
  mark: () => Promise<void>,
): UpstreamFactory {
  return {
    typOf: (stream) => factory.typOf(stream),
    create(context) {
      const inner = factory.create(context)
      let marked: Promise<void> | undefined
      const upstream: Upstream = {
        start: () => inner.start(),
        close: () => inner.close(),
        async next(stream: StreamName, signal: AbortSignal) {
          const message = await inner.next(stream, signal)
          marked ??= mark()
          await marked
          return message
        },
      }
      if (inner.ready !== undefined) {
        const ready = inner.ready.bind(inner)
        return { ...upstream, ready }
      }
      return upstream
    },
  }
}
