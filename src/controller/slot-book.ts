import type { Grant, WorkerRemoval } from '../mapping/index.js'
import type { WorkerName } from '../protocol/ids.js'
import type { SlotTuple } from '../protocol/scan-messages.js'

interface SlotRange {
  from: number
  to: number
  slot: number
}

/**
 * Slot numbers of one scan. Every worker gets its own slot when it joins (0, 1, 2, … in order of
 * arrival; a worker that rejoins gets a new one). Work a dead worker leaves behind keeps the
 * slot it had when it moves to another worker, so the reducer can drop a second result of the
 * same `(event, slot)`: the overrides are published as `slots` tuples.
 */
export class SlotBook {
  readonly #own = new Map<string, number>()
  readonly #overrides = new Map<string, SlotRange[]>()
  #pending: SlotRange[] = []
  #next = 0

  /** Give a joining worker its own slot; returns it. */
  add(worker: WorkerName): number {
    const slot = this.#next++
    this.#own.set(worker, slot)
    this.#overrides.delete(worker)
    return slot
  }

  /** A worker's own slot, if it is known. */
  slotOf(worker: string): number | undefined {
    return this.#own.get(worker)
  }

  /** Every worker with its own slot. */
  all(): Record<string, number> {
    return Object.fromEntries(this.#own)
  }

  /** Remember which slots the events a removed worker handed back must keep. */
  remove(removal: WorkerRemoval): void {
    this.handBack(removal.worker, removal.rebinding)
    this.#overrides.delete(removal.worker)
  }

  /**
   * Events `worker` handed back (it left, or could not process one of them) keep the slot they
   * had with it when another worker takes them.
   */
  handBack(worker: string, ranges: readonly (readonly [number, number])[]): void {
    const own = this.#own.get(worker)
    const carried = this.#overrides.get(worker) ?? []
    if (own === undefined) return
    for (const [from, to] of ranges) {
      let at = from
      for (const o of carried) {
        if (o.to <= at || o.from >= to) continue
        if (o.from > at) this.#pending.push({ from: at, to: o.from, slot: own })
        const end = Math.min(o.to, to)
        this.#pending.push({ from: Math.max(o.from, at), to: end, slot: o.slot })
        at = end
      }
      if (at < to) this.#pending.push({ from: at, to, slot: own })
    }
  }

  /** Slot overrides for work newly granted out of handed-back events. */
  grant(grants: readonly Grant[]): SlotTuple[] {
    if (this.#pending.length === 0) return []
    const out: SlotTuple[] = []
    for (const g of grants) {
      for (const [from, to] of g.events) {
        const rest: SlotRange[] = []
        for (const p of this.#pending) {
          const lo = Math.max(p.from, from)
          const hi = Math.min(p.to, to)
          if (lo >= hi) {
            rest.push(p)
            continue
          }
          out.push([lo, hi, g.worker, p.slot])
          const list = this.#overrides.get(g.worker) ?? []
          list.push({ from: lo, to: hi, slot: p.slot })
          list.sort((a, b) => a.from - b.from)
          this.#overrides.set(g.worker, list)
          if (p.from < lo) rest.push({ from: p.from, to: lo, slot: p.slot })
          if (hi < p.to) rest.push({ from: hi, to: p.to, slot: p.slot })
        }
        this.#pending = rest.sort((a, b) => a.from - b.from)
      }
    }
    return out.sort((a, b) => a[0] - b[0])
  }

  /** Forget overrides of events below the completed frontier. */
  prune(frontier: number): void {
    this.#pending = this.#pending.filter((p) => p.to > frontier)
    for (const [worker, list] of this.#overrides) {
      const kept = list.filter((o) => o.to > frontier)
      if (kept.length === 0) this.#overrides.delete(worker)
      else this.#overrides.set(worker, kept)
    }
  }
}
