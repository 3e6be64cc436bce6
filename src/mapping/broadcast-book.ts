import type { BroadcastRecord } from './assignment-records.js'

/**
 * Broadcast records of the window, ascending by event: unreleased ones (still collecting
 * workers) after `releasedIndex`, released ones kept until their event is complete.
 * @internal
 */
export class BroadcastBook {
  private records: BroadcastRecord[] = []
  private head = 0
  /** Absolute index of the first record at or above the release frontier. */
  private releasedAt = 0

  /** Number of records held. */
  get size(): number {
    return this.records.length - this.head
  }

  /** The newest record, if any. */
  last(): BroadcastRecord | undefined {
    return this.records.length > this.head ? this.records[this.records.length - 1] : undefined
  }

  /** Append a record for an event above every recorded one. */
  push(record: BroadcastRecord): void {
    this.records.push(record)
  }

  /** The record of `event`, if it is held. */
  find(event: number): BroadcastRecord | undefined {
    const i = this.indexAtOrAfter(event, this.head)
    const rec = this.records[i]
    return rec !== undefined && rec.event === event ? rec : undefined
  }

  /** Index of the first unreleased record with event ≥ `fromEvent` (for {@link at}). */
  unreleasedIndexFrom(fromEvent: number): number {
    return this.indexAtOrAfter(fromEvent, this.releasedAt)
  }

  /** The record at index `i` (from {@link unreleasedIndexFrom}), or undefined past the end. */
  at(i: number): BroadcastRecord | undefined {
    return this.records[i]
  }

  /** Unreleased records with event ≥ `fromEvent`, ascending. */
  *unreleasedFrom(fromEvent: number): IterableIterator<BroadcastRecord> {
    for (let i = this.indexAtOrAfter(fromEvent, this.releasedAt); i < this.records.length; i++) {
      yield this.records[i]!
    }
  }

  /** Every record held, ascending. */
  *all(): IterableIterator<BroadcastRecord> {
    for (let i = this.head; i < this.records.length; i++) yield this.records[i]!
  }

  /** Smallest event below `limit` whose record still awaits a worker, else `limit`. */
  firstAwaiting(limit: number): number {
    for (let i = this.releasedAt; i < this.records.length; i++) {
      const rec = this.records[i]!
      if (rec.event >= limit) break
      if (rec.waiting.length > 0) return rec.event
    }
    return limit
  }

  /** The release frontier moved to `frontier`: records below it are released. */
  markReleased(frontier: number): void {
    while (
      this.releasedAt < this.records.length &&
      this.records[this.releasedAt]!.event < frontier
    ) {
      this.releasedAt++
    }
  }

  /** Forget records of events below `completedFrontier`. */
  forgetBelow(completedFrontier: number): void {
    while (this.head < this.releasedAt && this.records[this.head]!.event < completedFrontier) {
      this.head++
    }
    if (this.head > 64 && this.head * 2 > this.records.length) {
      this.records.splice(0, this.head)
      this.releasedAt -= this.head
      this.head = 0
    }
  }

  private indexAtOrAfter(event: number, from: number): number {
    let lo = from
    let hi = this.records.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.records[mid]!.event < event) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
