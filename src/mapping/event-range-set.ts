/** A half-open range of event numbers `[start, end)`. */
export type EventRange = readonly [start: number, end: number]

/**
 * A mutable set of event numbers stored as sorted, disjoint, non-adjacent half-open ranges.
 * Appending at the end and removing from the front are O(1) amortised, which is how workers
 * receive and finish events; anything else is O(log ranges + ranges moved).
 */
export class EventRangeSet {
  private starts: number[] = []
  private ends: number[] = []
  private head = 0
  private count = 0

  /** Number of events in the set. */
  get size(): number {
    return this.count
  }

  /** Number of disjoint ranges. */
  get rangeCount(): number {
    return this.starts.length - this.head
  }

  /** Smallest event in the set, or `Infinity` when empty. */
  first(): number {
    return this.head < this.starts.length ? this.starts[this.head]! : Number.POSITIVE_INFINITY
  }

  /** Whether `event` is in the set. */
  has(event: number): boolean {
    const i = this.rangeAfter(event) - 1
    return i >= this.head && event < this.ends[i]!
  }

  /** Add one event; returns whether it was new. */
  add(event: number): boolean {
    const last = this.starts.length - 1
    if (last >= this.head) {
      const lastEnd = this.ends[last]!
      if (event === lastEnd) {
        this.ends[last] = lastEnd + 1
        this.count++
        return true
      }
      if (event < lastEnd) return this.insert(event)
    }
    this.starts.push(event)
    this.ends.push(event + 1)
    this.count++
    return true
  }

  /** Add every event of `[start, end)`; returns how many were new. */
  addRange(start: number, end: number): number {
    let added = 0
    for (let e = start; e < end; e++) if (this.add(e)) added++
    return added
  }

  /** Remove every event of `[start, end)`; returns how many were present. */
  removeRange(start: number, end: number): number {
    if (end <= start) return 0
    const h = this.head
    // Fast path: finishing a prefix of the first range.
    if (h < this.starts.length && start <= this.starts[h]! && end > this.starts[h]!) {
      const firstEnd = this.ends[h]!
      if (end < firstEnd) {
        const removed = end - this.starts[h]!
        this.starts[h] = end
        this.count -= removed
        return removed
      }
    }
    let removed = 0
    let i = Math.max(this.rangeAfter(start) - 1, this.head)
    while (i < this.starts.length && this.starts[i]! < end) {
      const s = this.starts[i]!
      const e = this.ends[i]!
      if (e <= start) {
        i++
        continue
      }
      const cutStart = Math.max(s, start)
      const cutEnd = Math.min(e, end)
      removed += cutEnd - cutStart
      if (s < cutStart && cutEnd < e) {
        this.ends[i] = cutStart
        this.starts.splice(i + 1, 0, cutEnd)
        this.ends.splice(i + 1, 0, e)
        i += 2
      } else if (s < cutStart) {
        this.ends[i] = cutStart
        i++
      } else if (cutEnd < e) {
        this.starts[i] = cutEnd
        i++
      } else if (i === this.head) {
        this.head++
        i++
      } else {
        this.starts.splice(i, 1)
        this.ends.splice(i, 1)
      }
    }
    this.count -= removed
    this.compact()
    return removed
  }

  /** Remove everything. */
  clear(): void {
    this.starts = []
    this.ends = []
    this.head = 0
    this.count = 0
  }

  /** The ranges, ascending. */
  ranges(): EventRange[] {
    const out: EventRange[] = []
    for (let i = this.head; i < this.starts.length; i++) out.push([this.starts[i]!, this.ends[i]!])
    return out
  }

  /** Every event, ascending (allocates one number per event: tests and small sets only). */
  toArray(): number[] {
    const out: number[] = []
    for (let i = this.head; i < this.starts.length; i++) {
      for (let e = this.starts[i]!; e < this.ends[i]!; e++) out.push(e)
    }
    return out
  }

  /** Index of the first range whose start is greater than `event`. */
  private rangeAfter(event: number): number {
    let lo = this.head
    let hi = this.starts.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.starts[mid]! <= event) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private insert(event: number): boolean {
    const next = this.rangeAfter(event)
    const prev = next - 1
    if (prev >= this.head && event < this.ends[prev]!) return false
    const joinsPrev = prev >= this.head && this.ends[prev] === event
    const joinsNext = next < this.starts.length && this.starts[next] === event + 1
    if (joinsPrev && joinsNext) {
      this.ends[prev] = this.ends[next]!
      this.starts.splice(next, 1)
      this.ends.splice(next, 1)
    } else if (joinsPrev) {
      this.ends[prev] = event + 1
    } else if (joinsNext) {
      this.starts[next] = event
    } else if (next === this.head && this.head > 0) {
      this.head--
      this.starts[this.head] = event
      this.ends[this.head] = event + 1
    } else {
      this.starts.splice(next, 0, event)
      this.ends.splice(next, 0, event + 1)
    }
    this.count++
    return true
  }

  private compact(): void {
    if (this.head > 32 && this.head * 2 > this.starts.length) {
      this.starts.splice(0, this.head)
      this.ends.splice(0, this.head)
      this.head = 0
    }
  }
}
