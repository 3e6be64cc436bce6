import { describe, expect, it } from 'vitest'
import { GcTraceTally, parseTraceGcLine } from '../../../bench/gc-trace.js'

// Lines as node 20 prints them with --trace-gc (taken from a run of this machine's node).
const SCAVENGE =
  '[21587:0x227accb0]       19 ms: Scavenge 3.9 (4.0) -> 3.0 (5.0) MB, 0.50 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; '
const MARK_COMPACT =
  '[21651:0x3d819cb0]       99 ms: Mark-Compact 5.1 (8.9) -> 4.5 (9.2) MB, 1.22 / 0.00 ms  (+ 5.5 ms in 63 steps since start of marking, biggest step 0.2 ms, walltime since start of marking 13 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via task; GC in old space requested'
const ATOMIC =
  '[21651:0x3d819cb0]      174 ms: Mark-Compact 7.4 (15.4) -> 7.3 (23.7) MB, 2.75 / 0.00 ms  (average mu = 0.661, current mu = 0.697) external memory pressure; GC in old space requested'

describe('--trace-gc lines', () => {
  it('give the pause and the incremental marking steps', () => {
    expect(parseTraceGcLine(SCAVENGE)).toEqual({
      isolate: '0x227accb0',
      kind: 'Scavenge',
      pauseMs: 0.5,
      stepsMs: 0,
    })
    expect(parseTraceGcLine(MARK_COMPACT)).toEqual({
      isolate: '0x3d819cb0',
      kind: 'Mark-Compact',
      pauseMs: 1.22,
      stepsMs: 5.5,
    })
    expect(parseTraceGcLine(ATOMIC)?.stepsMs).toBe(0)
    expect(parseTraceGcLine('{"level":40,"msg":"worker running"}')).toBeUndefined()
  })

  it('are summed for the first isolate only, across chunks split anywhere, other text kept', () => {
    const thread = MARK_COMPACT.replace('0x3d819cb0', '0x7f00aa00')
    const text = `${MARK_COMPACT}\n{"msg":"a log line"}\n${thread}\n${ATOMIC}\n`
    for (const cut of [1, 7, 50, 200, text.length - 3]) {
      const tally = new GcTraceTally()
      const kept = tally.feed(text.slice(0, cut)) + tally.feed(text.slice(cut))
      expect(tally.mainMs, `cut at ${cut}`).toBeCloseTo(1.22 + 5.5 + 2.75, 6)
      expect(kept).toBe('{"msg":"a log line"}\n')
    }
  })
})
