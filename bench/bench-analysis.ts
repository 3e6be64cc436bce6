/**
 * The trivial analysis the end-to-end benchmarks run (`dist/bench/bench-analysis.js`).
 *
 * `BenchWorker` parses the STINS JSON part of each image and returns a tiny result: the frame
 * number and, when the bench simulator stamped one, its send time (`bench_sent_ms`, an extra
 * key STINS allows; real devices never send it, so the wire protocol is unchanged).
 * `BenchReducer` counts images and records, on its own clock, when the first and the last image
 * result reached `processResult`, and the latency of every stamped one (to `processEvent` and
 * to `processResult`).
 */
import { monotonicMs } from './clock.js'

interface Stream {
  readonly typ: string
  readonly frames: readonly Uint8Array[]
}

/** What {@link BenchWorker} returns for an image. */
interface BenchResult {
  readonly f: number
  /** Simulator send time (`bench_sent_ms`). */
  readonly t?: number
  /** When `processEvent` ran, for stamped frames. */
  readonly w?: number
}

const decoder = new TextDecoder()

/** Worker side of the bench analysis. */
export class BenchWorker {
  processEvent(event: {
    eventNumber: number
    streams: Record<string, Stream>
  }): BenchResult | undefined {
    const frame = event.streams.cam?.frames[0]
    if (frame === undefined) return undefined
    const head = JSON.parse(decoder.decode(frame)) as {
      htype?: string
      frame?: number
      bench_sent_ms?: number
    }
    if (head.htype !== 'image') return undefined
    const f = head.frame ?? -1
    return head.bench_sent_ms === undefined ? { f } : { f, t: head.bench_sent_ms, w: monotonicMs() }
  }
}

/** Reducer side of the bench analysis: counts and clocks, published for the bench driver. */
export class BenchReducer {
  publish: {
    images: number
    firstMs: number
    lastMs: number
    latenciesMs: number[]
    toWorkerMs: number[]
  } = {
    images: 0,
    firstMs: 0,
    lastMs: 0,
    latenciesMs: [],
    toWorkerMs: [],
  }

  processResult(result: { payload: unknown }): void {
    const now = monotonicMs()
    const p = this.publish
    if (p.images === 0) p.firstMs = now
    p.lastMs = now
    p.images++
    const payload = result.payload as BenchResult | undefined
    const sent = payload?.t
    if (sent !== undefined) {
      p.latenciesMs.push(now - sent)
      p.toWorkerMs.push((payload?.w ?? now) - sent)
    }
  }
}
