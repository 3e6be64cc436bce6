import { expect } from 'vitest'
import type {
  Assigner,
  AssignmentBatch,
  EventRangeSet,
  OpenUniformPlan,
  ScanPlan,
} from '../../../src/mapping/index.js'

/** A plan the model reads: a compiled one, or an open one as far as it is known. */
export type ModelPlan = ScanPlan | OpenUniformPlan

/** The model: what every worker holds, derived only from the batches the assigner returned. */
export class Model {
  readonly held = new Map<string, EventRangeSet>()
  readonly tags = new Map<string, Set<string>>()
  readonly requested = new Map<string, number>()
  readonly granted = new Map<string, number>()
  readonly completedBy = new Map<number, Set<string>>()
  /** Latest routing per event: stream → workers (refreshed on release and reroute). */
  readonly routing = new Map<number, Map<string, readonly string[]>>()
  /** (part instance, constraint) → worker, as seen in released events. */
  readonly bindings = new Map<string, string>()
  released = 0

  constructor(
    readonly plan: ModelPlan,
    readonly a: Assigner<ModelPlan>,
  ) {}

  apply(batch: AssignmentBatch, horizonBlocked: ReadonlySet<string>): void {
    for (const g of batch.grants) {
      expect(horizonBlocked.has(g.worker), `${g.worker} is past the horizon`).toBe(false)
      const held = this.held.get(g.worker)!
      let n = 0
      for (const [start, end] of g.events) {
        for (let e = start; e < end; e++) {
          expect(held.add(e), `event ${e} given twice to ${g.worker}`).toBe(true)
          n++
        }
      }
      expect(g.eventCount).toBe(n)
      this.granted.set(g.worker, (this.granted.get(g.worker) ?? 0) + n)
    }
    const [from, to] = batch.released
    expect(from).toBe(this.released)
    expect(to).toBeGreaterThanOrEqual(from)
    expect(this.a.releasedFrontier).toBe(to)
    this.released = to
    for (let e = from; e < to; e++) this.checkReleased(e)
    for (const [start, end] of batch.rerouted) {
      expect(end).toBeLessThanOrEqual(from)
      for (let e = start; e < end; e++) {
        // Lost its worker and waits for a new one: reported again once rebound.
        if (this.a.completionOf(e).unbound) continue
        this.checkReleased(e, this.routing.get(e))
      }
    }
  }

  /** A released event is fully assigned: every constraint has a live qualifying worker, every
   * broadcast reaches exactly the live qualifying workers, and constraints keep their worker. */
  checkReleased(e: number, previous?: ReadonlyMap<string, readonly string[]>): void {
    const assignment = this.a.assignmentOf(e)
    expect(assignment).toBeDefined()
    const loc = this.plan.locate(e)
    const routing = new Map<string, readonly string[]>()
    for (const stream of this.plan.streams) {
      const cell = this.plan.entryAt(stream, e)
      const got = assignment!.assignments.get(stream)
      if (cell === null) {
        expect(got).toBeUndefined()
        continue
      }
      const expected = new Set<string>()
      for (const v of cell) {
        if (v.constraint === null) {
          if (previous === undefined) {
            for (const [name, tags] of this.tags) {
              if (v.tags.every((t) => tags.has(t))) expected.add(name)
            }
          } else {
            // Rerouted after release: a broadcast only loses workers (removed ones).
            for (const name of previous.get(stream) ?? []) {
              if ((got ?? []).some((x) => x === name) && this.tags.has(name)) expected.add(name)
            }
          }
          continue
        }
        const key = `${loc.partInstance}:${v.constraint}`
        const chosen = this.a.bindingOf(loc.partInstance, v.constraint)
        expect(chosen, `event ${e} ${stream}: constraint ${v.constraint} unbound`).toBeDefined()
        expect(this.tags.has(chosen!), `${chosen} is not live`).toBe(true)
        expect(this.qualifies(chosen!, loc.partInstance, v.constraint)).toBe(true)
        // Same constraint, same worker, unless that worker was removed in between.
        const before = this.bindings.get(key)
        if (before !== undefined) expect(chosen).toBe(before)
        this.bindings.set(key, chosen!)
        expected.add(chosen!)
      }
      expect([...(got ?? [])].sort(), `event ${e} stream ${stream}`).toEqual([...expected].sort())
      routing.set(stream, got!)
    }
    this.routing.set(e, routing)
  }

  /** The worker's tags include the tags of every occurrence of the constraint in the instance. */
  qualifies(name: string, instance: number, constraint: number): boolean {
    const tags = this.tags.get(name)!
    const start = this.plan.instanceStartOf(instance)
    const end = this.plan.instanceEndOf(instance)
    for (let e = start; e < end; e++) {
      for (const stream of this.plan.streams) {
        for (const v of this.plan.entryAt(stream, e) ?? []) {
          if (v.constraint === constraint && !v.tags.every((t) => tags.has(t))) return false
        }
      }
    }
    return true
  }

  forget(name: string): void {
    for (const [key, bound] of this.bindings) if (bound === name) this.bindings.delete(key)
    this.held.delete(name)
    this.tags.delete(name)
  }
}
