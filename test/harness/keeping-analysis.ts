// A worker for the pooled-frame tests: keeps the frames of some events (as an analysis that
// holds on to data across events may), and checks on every call that every kept frame still
// holds the bytes it arrived with. A pooled buffer handed out again while kept would fail it.

interface Stream {
  typ: string
  frames: Uint8Array[]
}

/** The byte every position of event `n`'s frame holds (the test's simulator writes it). */
export function fillByteOf(n: number): number {
  return (n * 37 + 11) % 251
}

function intact(frame: Uint8Array, n: number): boolean {
  const want = fillByteOf(n)
  // Every 64th byte and the last: enough to see a frame overwritten by another event's bytes.
  for (let i = 0; i < frame.length; i += 64) if (frame[i] !== want) return false
  return frame[frame.length - 1] === want
}

/** Keeps the frame of every event whose number is a multiple of `keepEvery` (10). */
export class KeepingWorker {
  readonly kept: { n: number; frame: Uint8Array }[] = []

  processEvent(event: { eventNumber: number; streams: Record<string, Stream> }) {
    const frame = event.streams.cam?.frames[0]
    if (frame === undefined) return undefined
    const n = event.eventNumber
    const fresh = intact(frame, n)
    if (n % 10 === 0) this.kept.push({ n, frame })
    let keptIntact = true
    for (const k of this.kept) if (!intact(k.frame, k.n)) keptIntact = false
    return { n, fresh, keptIntact, shared: frame.buffer instanceof SharedArrayBuffer }
  }
}
