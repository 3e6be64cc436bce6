import type { AssignmentBatch, Grant } from './assigner-types.js'
import type { WorkerSlot } from './assignment-records.js'
import { EventRangeSet } from './event-range-set.js'

/** Collects what one call changed into an {@link AssignmentBatch}. @internal */
export class BatchBuilder {
  private readonly touched: WorkerSlot[] = []
  private rerouted: EventRangeSet | null = null

  constructor(private readonly releasedFrom: number) {}

  /** Record that `worker` was newly given `event`. */
  grant(worker: WorkerSlot, event: number): void {
    if (worker.grant === null) {
      worker.grant = new EventRangeSet()
      this.touched.push(worker)
    }
    worker.grant.add(event)
  }

  /** Record that the routing of the already released `event` changed. */
  reroute(event: number): void {
    this.rerouted ??= new EventRangeSet()
    this.rerouted.add(event)
  }

  /** The batch, given the release frontier at the end of the call. */
  finish(releasedTo: number): AssignmentBatch {
    const grants: Grant[] = []
    for (const w of this.touched) {
      const set = w.grant
      w.grant = null
      if (set === null || set.size === 0) continue
      grants.push({ worker: w.name, events: set.ranges(), eventCount: set.size })
    }
    return {
      grants,
      released: [this.releasedFrom, releasedTo],
      rerouted: this.rerouted === null ? [] : this.rerouted.ranges(),
    }
  }
}
