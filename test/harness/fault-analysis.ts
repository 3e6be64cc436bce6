// Worker and reducer for the fault tests (test/e2e/faults): the worker sums each STINS image
// and can be told, by parameters, to misbehave on one frame; the reducer counts how often each
// frame was reduced and can be told to be slow. Parameters:
// - worker `poison_frame` (int, -1: none) and `poison` (`loop`, `throw`, `leak`, `async-loop`);
// - reducer `reduce_ms` (busy milliseconds per result).

interface Stream {
  typ: string
  frames: Uint8Array[]
}
interface Param {
  value: unknown
}
type Params = Record<string, Param | undefined>

const leaked: Uint8Array[] = []

function busy(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // spin: a reducer whose work takes CPU time, not a timer
  }
}

/** Sums the pixels of each image; misbehaves on `poison_frame` as `poison` says. */
export class FaultWorker {
  static describeParameters() {
    return [
      { name: 'poison_frame', dtype: 'int', default: -1 },
      { name: 'poison', dtype: 'str', default: 'loop' },
    ]
  }

  async processEvent(
    event: { eventNumber: number; streams: Record<string, Stream> },
    parameters: Params,
  ) {
    const s = event.streams.cam
    if (!s) return undefined
    const head = JSON.parse(new TextDecoder().decode(s.frames[0]))
    if (head.htype !== 'image') return { kind: head.htype }
    const frame = Number(head.frame)
    if (frame === Number(parameters.poison_frame?.value ?? -1)) {
      const how = String(parameters.poison?.value ?? 'loop')
      if (how === 'throw') throw new Error(`frame ${frame} is poison`)
      if (how === 'loop') for (;;) busy(1000)
      if (how === 'async-loop') {
        await Promise.resolve()
        for (;;) busy(1000)
      }
      if (how === 'leak') for (;;) leaked.push(new Uint8Array(64 << 20).fill(1))
    }
    const bytes = s.frames[1]!
    const px = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2)
    let sum = 0
    for (const v of px) sum += v
    return { kind: 'image', frame, sum }
  }
}

/** Counts every reduced frame; spends `reduce_ms` of CPU per result. */
export class FaultReducer {
  static describeParameters() {
    return [{ name: 'reduce_ms', dtype: 'float', default: 0 }]
  }

  publish: {
    count: Record<string, number>
    sums: Record<string, number>
    frames: number
    other: number
  } = { count: {}, sums: {}, frames: 0, other: 0 }

  processResult(
    result: { payload: { kind: string; frame: number; sum: number } },
    parameters: Params,
  ) {
    const ms = Number(parameters.reduce_ms?.value ?? 0)
    if (ms > 0) busy(ms)
    if (result.payload.kind !== 'image') {
      this.publish.other++
      return
    }
    const key = String(result.payload.frame)
    this.publish.count[key] = (this.publish.count[key] ?? 0) + 1
    this.publish.sums[key] = result.payload.sum
    this.publish.frames++
  }
}
