import { type StreamName, UpstreamClosedError } from '../../src/internal.js'
import type { Upstream, UpstreamMessage } from './upstream.js'

/** One device connection that yields whole messages (a zmq socket, an HTTP feed…). */
export interface MessageSource {
  start(): Promise<void>
  close(): Promise<void>
  /** The next message's parts; rejects like {@link Upstream.next}. */
  receive(signal: AbortSignal): Promise<readonly Uint8Array[]>
  /** Optional: whether `receive` would resolve without waiting. */
  ready?(): boolean
}

/** A stream's share of one device message, classified (start, data with its frame, end). */
export interface StreamFrames {
  readonly stream: StreamName
  readonly message: UpstreamMessage
}

/** Options of {@link createDemuxUpstream}. */
export interface DemuxUpstreamOptions {
  readonly source: MessageSource
  /**
   * Which streams one message feeds, and with which parts (views, not copies), each classified;
   * a share that is not valid is left out (and reported by the split).
   */
  readonly split: (parts: readonly Uint8Array[]) => readonly StreamFrames[]
  /** The streams of the scan; frames of other streams are dropped. */
  readonly streams: readonly StreamName[]
  /** Frames queued for one stream while another is read before it fails. Default 10 000. */
  readonly maxQueued?: number
}

/**
 * Adapt a device that multiplexes several streams on one connection to {@link Upstream}:
 * each message is split into per-stream frames, queued per stream, and handed out one per
 * `next(stream)`. A stream whose queue exceeds `maxQueued` (the map reads another stream far
 * more often) fails the upstream with `UPSTREAM_CLOSED` rather than growing without bound.
 */
export function createDemuxUpstream(options: DemuxUpstreamOptions): Upstream {
  const { source, split } = options
  const maxQueued = options.maxQueued ?? 10_000
  const queues = new Map<string, UpstreamMessage[]>(options.streams.map((s) => [s, []]))
  return {
    start: () => source.start(),
    close: () => source.close(),
    ready: (stream) => (queues.get(stream)?.length ?? 0) > 0 || source.ready?.() === true,
    next: async (stream, signal) => {
      const queue = queues.get(stream)
      if (queue === undefined)
        throw new UpstreamClosedError(`stream '${stream}' is not served here`)
      for (;;) {
        const queued = queue.shift()
        if (queued !== undefined) return queued
        for (const piece of split(await source.receive(signal))) {
          const target = queues.get(piece.stream)
          if (target === undefined) continue
          if (target.length >= maxQueued) {
            throw new UpstreamClosedError(
              `more than ${maxQueued} frames of stream '${piece.stream}' wait unread`,
            )
          }
          target.push(piece.message)
        }
      }
    },
  }
}
