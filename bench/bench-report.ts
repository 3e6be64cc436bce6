/**
 * What every bench case reports, and the statistics the table prints (median and spread).
 *
 * A case script prints one line `BENCH_RESULT <json>` (a {@link CaseReport}) on stdout; `run.ts`
 * collects them, computes ratios against the references measured in the same run, prints the
 * table and writes the JSON.
 */

/** A target of issue 7: the median (or its ratio to the reference) must be `op` `value`. */
export interface BenchTarget {
  readonly op: '>=' | '<='
  readonly value: number
  readonly ofReference?: boolean
}

/** One measured figure, taken once per run. */
export interface BenchRow {
  /** Case name from the table of issue 7 (`raw`, `small events`, …). */
  readonly case: string
  /** What was measured, e.g. `events/s (2 workers)`. */
  readonly metric: string
  readonly unit: string
  /** One value per run. */
  readonly samples: readonly number[]
  /** Key other rows use to name this one as their reference. */
  readonly id?: string
  /** `id` of the row this one is a ratio of (same run). */
  readonly referenceId?: string
  /** Targets on the median: the value (or its ratio to the reference, `ofReference`). */
  readonly targets?: readonly BenchTarget[]
  /** Anything else worth keeping (CPU per process, …). */
  readonly extra?: Record<string, unknown>
}

/** What one case script prints. */
export interface CaseReport {
  readonly rows: readonly BenchRow[]
}

/** Print a case's report for `run.ts`. */
export function emitReport(report: CaseReport): void {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(report)}\n`)
}

/** The `q`-quantile (0..1) of `values`, linear between neighbours. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] ?? Number.NaN
  const b = sorted[hi] ?? a
  return a + (b - a) * (pos - lo)
}

/** Median of `values`. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

/** A number in a short human form: 3 significant digits, k/M suffixes for large values. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const abs = Math.abs(n)
  if (abs >= 1e6) return `${(n / 1e6).toPrecision(3)} M`
  if (abs >= 1e4) return `${(n / 1e3).toPrecision(3)} k`
  if (abs >= 100) return n.toFixed(0)
  return n.toPrecision(3)
}

/** Read `--name=value` from argv. */
export function argValue(name: string): string | undefined {
  const prefix = `--${name}=`
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length)
}
