/** Options of {@link DedupSet}. */
export interface DedupSetOptions {
  /** Entries below which the set never asks for compaction; default 4096. */
  readonly minCompactSize?: number
}

/**
 * The (event, slot) identities one scan has already reduced: the reducer's exactly-once filter
 * (DESIGN.md "Exactly once at the reducer"). Pure and synchronous.
 *
 * Memory follows the work in flight, not the scan: {@link compactBelow} forgets every event
 * below the completed frontier and from then on treats any identity below it as seen (an event
 * below the frontier is complete, so whatever arrives for it is a re-send). The set asks for
 * compaction ({@link wantsCompaction}) when it has doubled since the last one, so looking up
 * the frontier costs amortised O(1) per event even when the frontier does not move.
 */
export class DedupSet {
  readonly #seen = new Map<number, number | number[]>()
  readonly #minCompactSize: number
  #floor = 0
  #compactAt: number

  constructor(options: DedupSetOptions = {}) {
    this.#minCompactSize = options.minCompactSize ?? 4096
    this.#compactAt = this.#minCompactSize
  }

  /** Events below this were compacted away: every identity below it counts as seen. */
  get floor(): number {
    return this.#floor
  }

  /** Events held individually (at or above the floor). */
  get size(): number {
    return this.#seen.size
  }

  /** True when the set has grown enough that the owner should look up the frontier. */
  get wantsCompaction(): boolean {
    return this.#seen.size >= this.#compactAt
  }

  /**
   * Record `(event, slot)`. Returns `true` the first time, `false` for a duplicate (also for
   * any event below the floor).
   */
  add(event: number, slot: number): boolean {
    if (event < this.#floor) return false
    const prev = this.#seen.get(event)
    if (prev === undefined) {
      this.#seen.set(event, slot)
      return true
    }
    if (typeof prev === 'number') {
      if (prev === slot) return false
      this.#seen.set(event, [prev, slot])
      return true
    }
    if (prev.includes(slot)) return false
    prev.push(slot)
    return true
  }

  /** Every identity held above the floor, for a snapshot: `[event, slot | slots]` pairs. */
  entries(): [number, number | number[]][] {
    const out: [number, number | number[]][] = []
    for (const [event, slots] of this.#seen) {
      out.push([event, typeof slots === 'number' ? slots : [...slots]])
    }
    return out
  }

  /** A set holding what {@link entries} and {@link floor} gave (a snapshot restored). */
  static restore(
    floor: number,
    entries: readonly (readonly [number, number | readonly number[]])[],
    options: DedupSetOptions = {},
  ): DedupSet {
    const set = new DedupSet(options)
    set.#floor = floor
    for (const [event, slots] of entries) {
      set.#seen.set(event, typeof slots === 'number' ? slots : [...slots])
    }
    set.#compactAt = Math.max(set.#minCompactSize, 2 * set.#seen.size)
    return set
  }

  /** Whether `(event, slot)` was recorded (or lies below the floor). */
  has(event: number, slot: number): boolean {
    if (event < this.#floor) return true
    const prev = this.#seen.get(event)
    if (prev === undefined) return false
    return typeof prev === 'number' ? prev === slot : prev.includes(slot)
  }

  /**
   * Forget every event below `frontier` (events below the completed frontier are complete).
   * A frontier at or below the current floor changes nothing but still resets the growth
   * threshold. Returns how many events were forgotten.
   */
  compactBelow(frontier: number): number {
    let removed = 0
    if (frontier > this.#floor) {
      this.#floor = frontier
      for (const event of this.#seen.keys()) {
        if (event < frontier) {
          this.#seen.delete(event)
          removed++
        }
      }
    }
    this.#compactAt = Math.max(this.#minCompactSize, 2 * this.#seen.size)
    return removed
  }
}
