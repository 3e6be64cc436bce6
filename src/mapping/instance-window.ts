import type { AssignablePlan } from './assignable-plan.js'
import { type InstanceState, PENDING, UNSEEN } from './assignment-records.js'

/**
 * The part instances between the completion frontier and the scan cursor, with their constraint
 * bindings. Instances enter in order as the scan reaches them and leave, in order, once all their
 * events are complete: memory is of the order of the window, not of the scan.
 * @internal
 */
export class InstanceWindow {
  private items: InstanceState[] = []
  private head = 0
  private nextIndex = 0

  constructor(private readonly plan: AssignablePlan) {}

  /** Number of instances held. */
  get size(): number {
    return this.items.length - this.head
  }

  /** State of part instance `index`, entering it (and any before it) into the window if new. */
  enter(index: number): InstanceState {
    while (this.nextIndex <= index) {
      const i = this.nextIndex++
      const part = this.plan.partOf(i)
      const binding = new Int32Array(part.constraintCount).fill(UNSEEN)
      this.items.push({
        index: i,
        start: this.plan.instanceStartOf(i),
        end: this.plan.instanceEndOf(i),
        part,
        binding,
        overrides: null,
      })
    }
    const state = this.get(index)
    if (state === undefined) throw new RangeError(`part instance ${index} already left the window`)
    return state
  }

  /** State of part instance `index`, or undefined if it has not entered or has already left. */
  get(index: number): InstanceState | undefined {
    const first = this.items[this.head]
    if (first === undefined || index < first.index || index >= this.nextIndex) return undefined
    return this.items[this.head + index - first.index]
  }

  /** Drop instances whose events are all below `completedFrontier`. */
  release(completedFrontier: number): void {
    while (this.head < this.items.length && this.items[this.head]!.end <= completedFrontier) {
      this.head++
    }
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head)
      this.head = 0
    }
  }

  /** Every instance in the window, oldest first. */
  *[Symbol.iterator](): IterableIterator<InstanceState> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!
  }
}

/** Whether a binding state names a worker (not UNSEEN nor PENDING). @internal */
export function isBound(state: number): boolean {
  return state !== UNSEEN && state !== PENDING
}
