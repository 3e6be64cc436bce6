/**
 * Collection time from V8's `--trace-gc` lines, for the GC share of the bench tables (issue 14).
 *
 * `gc-probe.ts` sums the pauses V8 reports to `PerformanceObserver`. That misses the incremental
 * marking V8 does in steps on the main thread between pauses: with `--single-threaded-gc` (the
 * default of workers and ingesters) the probe said 5–8 % of busy time where `--cpu-prof` showed
 * `(garbage collector)` at 20–27 %. A `--trace-gc` line of a mark-compact names both: its pause
 * and `(+ N ms in K steps since start of marking …)`. This tally adds them up per isolate.
 */

/** One collection as `--trace-gc` prints it: `[pid:isolate]  123 ms: Kind …, P / E ms (+ S ms in K steps …`. */
const TRACE_LINE =
  /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: ([A-Za-z-]+(?: [A-Za-z-]+)*) [^,]*, ([\d.]+) \/ [\d.]+ ms(?:\s+\(\+ ([\d.]+) ms in \d+ steps)?/

/** A parsed `--trace-gc` line: the isolate, the kind, its pause and its incremental steps, ms. */
export interface TraceGcEntry {
  readonly isolate: string
  readonly kind: string
  readonly pauseMs: number
  readonly stepsMs: number
}

/** Parse one line of `--trace-gc` output, or `undefined` for any other line. */
export function parseTraceGcLine(line: string): TraceGcEntry | undefined {
  const m = TRACE_LINE.exec(line)
  if (m === null) return undefined
  return {
    isolate: m[1] ?? '',
    kind: m[2] ?? '',
    pauseMs: Number(m[3]),
    stepsMs: m[4] === undefined ? 0 : Number(m[4]),
  }
}

/**
 * Sums a process's `--trace-gc` output as it arrives (chunks split anywhere). The main thread's
 * isolate is the first one that collects (worker threads start after the process has loaded its
 * code); {@link GcTraceTally.mainMs} is its pauses plus incremental steps.
 */
export class GcTraceTally {
  #partial = ''
  #main: string | undefined
  #mainMs = 0

  /** Feed a chunk of the process's stdout; resolves the text that was not a trace line. */
  feed(chunk: string): string {
    const lines = (this.#partial + chunk).split('\n')
    this.#partial = lines.pop() ?? ''
    let rest = ''
    for (const line of lines) {
      const entry = parseTraceGcLine(line)
      if (entry === undefined) {
        rest += `${line}\n`
        continue
      }
      this.#main ??= entry.isolate
      if (entry.isolate === this.#main) this.#mainMs += entry.pauseMs + entry.stepsMs
    }
    return rest
  }

  /** The main thread's collection time so far: pauses and incremental marking steps, ms. */
  get mainMs(): number {
    return this.#mainMs
  }
}
