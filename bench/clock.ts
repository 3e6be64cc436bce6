/**
 * The monotonic clock in ms (CLOCK_MONOTONIC, shared by every process of one machine, unlike
 * `performance.timeOrigin`, which is only as good as the wall clock at each process's start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

/**
 * How long a sender at `rateHz` that began at `started` (`performance.now()`) waits before frame
 * `frame`, ms: 0 for a rate of 0 (as fast as the receiver takes them) or when the frame is due
 * within half a millisecond (a timer cannot wait less). The bench simulator and the latency
 * reference pace their frames with it, the same way.
 */
export function msUntilDue(started: number, frame: number, rateHz: number): number {
  if (rateHz <= 0) return 0
  const wait = started + (frame * 1000) / rateHz - performance.now()
  return wait > 0.5 ? wait : 0
}
