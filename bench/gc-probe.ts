/**
 * Garbage collection and CPU of this process, for the large-frame benchmarks (issue 14).
 *
 * `gcProbe()` sums the pauses of every V8 collection (`PerformanceObserver` 'gc' entries, main
 * thread), the event loop's busy time (`performance.eventLoopUtilization`), the process's CPU
 * (`process.cpuUsage`: every thread, zmq's I/O thread and V8's helpers included) and its minor
 * page faults (`process.resourceUsage`). "GC share"
 * in the bench tables is GC pause time over busy time, close to what `--cpu-prof` shows as
 * `(garbage collector)`.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'

/** Totals since the probe started (or a difference of two readings), ms. */
export interface ProbeReading {
  readonly cpuMs: number
  /** The part of `cpuMs` spent in the kernel (system calls, page faults…). */
  readonly systemMs: number
  /** Minor page faults (fresh memory touched for the first time: each costs kernel time). */
  readonly minorFaults: number
  readonly busyMs: number
  readonly gcMs: number
  readonly gcCount: number
  /** Pauses longer than 1 ms and than 5 ms (what a latency tail can come from). */
  readonly gcOver1ms: number
  readonly gcOver5ms: number
  /** V8 heap in use when read, MiB (a level, not a total: `since` keeps the latest). */
  readonly heapMiB: number
}

/** A running probe (see {@link gcProbe}). */
export interface GcProbe {
  read(): ProbeReading
  /** What happened since `before` (a reading of this probe). */
  since(before: ProbeReading): ProbeReading
}

/** Start observing this process's collections. The observer lives as long as the process. */
export function gcProbe(): GcProbe {
  let gcMs = 0
  let gcCount = 0
  let gcOver1ms = 0
  let gcOver5ms = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration
      gcCount++
      if (entry.duration > 1) gcOver1ms++
      if (entry.duration > 5) gcOver5ms++
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const read = (): ProbeReading => {
    const cpu = process.cpuUsage()
    return {
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemMs: cpu.system / 1000,
      minorFaults: process.resourceUsage().minorPageFault,
      busyMs: performance.eventLoopUtilization().active,
      gcMs,
      gcCount,
      gcOver1ms,
      gcOver5ms,
      heapMiB: getHeapStatistics().used_heap_size / 2 ** 20,
    }
  }
  return {
    read,
    since: (before) => {
      const now = read()
      return {
        cpuMs: now.cpuMs - before.cpuMs,
        systemMs: now.systemMs - before.systemMs,
        minorFaults: now.minorFaults - before.minorFaults,
        busyMs: now.busyMs - before.busyMs,
        gcMs: now.gcMs - before.gcMs,
        gcCount: now.gcCount - before.gcCount,
        gcOver1ms: now.gcOver1ms - before.gcOver1ms,
        gcOver5ms: now.gcOver5ms - before.gcOver5ms,
        heapMiB: now.heapMiB,
      }
    },
  }
}
