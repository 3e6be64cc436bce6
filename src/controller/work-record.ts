import { type Assigner, type EventRange, EventRangeSet } from '../mapping/index.js'
import { workerName } from '../protocol/ids.js'

/** Ranges kept over all workers before recording stops (bounds the memory of a long scan). */
export const WORK_RECORD_MAX_RANGES = 1_000_000

/**
 * What Dranspose's `GET /api/v1/status` shows about a scan's work, kept as the controller
 * applies completions: which worker completed which events (`work_completed`) and, per part
 * instance, which worker each constraint was bound to (`assignment`). The assigner forgets a
 * part instance once all its events are complete, so the bindings of an instance are copied
 * here at that moment ({@link observe}). Completions are kept as event ranges per worker.
 */
export class WorkRecord {
  readonly #assigner: Assigner
  readonly #byWorker = new Map<string, EventRangeSet>()
  /** Bindings of the part instances below {@link #kept}, copied before the assigner forgot them. */
  readonly #bindings: Record<string, string>[] = []
  #kept = 0
  #ranges = 0
  #truncated = false

  constructor(assigner: Assigner) {
    this.#assigner = assigner
  }

  /** True when recording stopped at {@link WORK_RECORD_MAX_RANGES}. */
  get truncated(): boolean {
    return this.#truncated
  }

  /**
   * The part of `reported` that `worker` holds now, i.e. what the assigner is about to accept
   * from it (call before `assigner.complete`). Nothing for a worker the assigner does not know.
   */
  accepted(worker: string, reported: readonly EventRange[], known: boolean): EventRange[] {
    if (!known || reported.length === 0) return []
    return intersect(reported, this.#assigner.heldBy(workerName(worker)))
  }

  /** Record that `worker` completed `events` (from {@link accepted}). */
  completed(worker: string, events: readonly EventRange[]): void {
    if (this.#truncated || events.length === 0) return
    let set = this.#byWorker.get(worker)
    if (set === undefined) {
      set = new EventRangeSet()
      this.#byWorker.set(worker, set)
    }
    const before = set.rangeCount
    for (const [from, to] of events) set.addRange(from, to)
    this.#ranges += set.rangeCount - before
    if (this.#ranges > WORK_RECORD_MAX_RANGES) this.#truncated = true
  }

  /** Copy the bindings of every part instance that is now complete (call after each change). */
  observe(): void {
    const plan = this.#assigner.plan
    const frontier = this.#assigner.completedFrontier
    while (this.#kept < plan.partInstanceCount && plan.instanceStart[this.#kept + 1]! <= frontier) {
      this.#bindings.push(this.#bindingsOf(this.#kept))
      this.#kept++
    }
  }

  /**
   * `work_completed`: event number → the workers that completed it, for every event below the
   * completed frontier (`[]` for an event no worker had to process) and every event completed
   * above it. Keys in ascending order.
   */
  workCompleted(): Record<string, string[]> {
    const byEvent = new Map<number, string[]>()
    for (const [worker, set] of [...this.#byWorker].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [from, to] of set.ranges()) {
        for (let e = from; e < to; e++) {
          const list = byEvent.get(e)
          if (list === undefined) byEvent.set(e, [worker])
          else list.push(worker)
        }
      }
    }
    const out: Record<string, string[]> = {}
    const frontier = this.#truncated ? 0 : this.#assigner.completedFrontier
    const events = [...byEvent.keys()]
    for (let e = 0; e < frontier; e++) if (!byEvent.has(e)) events.push(e)
    for (const e of events.sort((a, b) => a - b)) out[String(e)] = byEvent.get(e) ?? []
    return out
  }

  /**
   * `assignment`: one object per part instance the scan has reached (at least the first),
   * constraint → the worker it is bound to; constraints not bound yet are left out.
   */
  assignment(): Record<string, string>[] {
    const plan = this.#assigner.plan
    const cursor = this.#assigner.stats().scanCursor
    const out = this.#bindings.slice(0, plan.partInstanceCount)
    for (let p = this.#kept; p < plan.partInstanceCount; p++) {
      if (p > 0 && plan.instanceStart[p]! >= cursor) break
      out.push(this.#bindingsOf(p))
    }
    return out
  }

  #bindingsOf(instance: number): Record<string, string> {
    const plan = this.#assigner.plan
    const part = plan.parts[plan.instancePart[instance]!]!
    const out: Record<string, string> = {}
    for (const constraint of part.constraintValue) {
      const worker = this.#assigner.bindingOf(instance, constraint)
      if (worker !== undefined) out[String(constraint)] = worker
    }
    return out
  }
}

/** The events in both sorted, disjoint range lists. */
function intersect(a: readonly EventRange[], b: readonly EventRange[]): EventRange[] {
  const out: EventRange[] = []
  const sortedA = [...a].sort((x, y) => x[0] - y[0])
  let j = 0
  for (const [from, to] of sortedA) {
    while (j < b.length && b[j]![1] <= from) j++
    for (let k = j; k < b.length && b[k]![0] < to; k++) {
      const lo = Math.max(from, b[k]![0])
      const hi = Math.min(to, b[k]![1])
      if (lo < hi) out.push([lo, hi])
    }
  }
  return out
}
