/**
 * Memory for received message parts that is reused rather than allocated per frame (issue 14):
 * parts are carved out of large buffers (slabs), and a slab whose every part was handed back
 * with {@link FrameSlabs.recycle} is filled again from its front.
 *
 * Only an explicit `recycle(part)` lets a part's memory be reused; the caller promises that
 * nothing reads the part any more (for the ingester: the controller's completed frontier passed
 * the event, and no send of it can still be queued; see `ForwardPlan`). A part never recycled
 * (a device's header the upstream parsed, a frame dropped as stale, one sent to a worker that
 * was routed away) keeps its slab out of reuse; the pool does not hold such a slab, so the
 * garbage collector frees it once no part of it is reachable, as it would any buffer. Reuse is
 * an optimisation that can only be withheld, never a lifetime the caller must get right to stay
 * correct: forgetting to recycle costs memory churn, not data.
 *
 * V8 counts a slab's memory once, when it is allocated; while parts are recycled, receiving
 * allocates nothing, so it sets off no collections ("external memory pressure").
 */

/** Memory for received message parts: a {@link FrameSlabs}, as a receiver sees it. */
export interface PartMemory {
  /** Memory for one part of `size` bytes. */
  allocate(size: number): Buffer
  /** Hand back a part nothing reads any more; returns whether it was taken back. */
  recycle(part: Uint8Array): boolean
}

/** Sizes of a {@link FrameSlabs}. */
export interface FrameSlabsOptions {
  /** Bytes per slab (default 16 MiB). A larger part gets memory of its own, never reused. */
  readonly slabBytes?: number
  /**
   * Parts smaller than this get memory of their own from Node's buffer pool, never reused
   * (default 0: every part comes from a slab). For an owner that hands back only its large
   * parts: a small part kept for good (a header) would otherwise hold a whole slab.
   */
  readonly smallPartBytes?: number
  /** Emptied slabs kept for reuse (default 8); an emptied slab beyond them is left to the GC. */
  readonly maxFreeSlabs?: number
}

/** What a {@link FrameSlabs} did since it was made. */
export interface FrameSlabsStats {
  /** Slabs allocated. */
  readonly slabsAllocated: number
  /** Times a slab was filled again after all its parts were recycled. */
  readonly slabsReused: number
  /** Parts larger than a slab, given memory of their own. */
  readonly oversizeParts: number
  /** Parts handed back with `recycle`. */
  readonly partsRecycled: number
  /** Emptied slabs kept now. */
  readonly freeSlabs: number
}

interface Slab {
  readonly pool: FrameSlabs
  readonly bytes: Buffer
  /** First free byte. */
  used: number
  /** Parts carved out of it and not recycled. */
  holders: number
}

const ALIGN = 64
const EMPTY = Buffer.alloc(0)

/**
 * The slab of a part handed out and not recycled, kept on the part itself: a property costs a
 * tenth of a `WeakMap` entry per part (~30 against ~500 ns here) and gives the GC no ephemeron
 * to trace. A copy or a view of a part has no such property, so handing it back does nothing.
 */
const SLAB_OF = Symbol('beamloom.frameSlab')

interface OwnedPart extends Uint8Array {
  [SLAB_OF]?: Slab | undefined
}

/** A pool of slabs for received parts (see the module comment). */
export class FrameSlabs implements PartMemory {
  readonly slabBytes: number
  readonly #smallPartBytes: number
  readonly #maxFree: number
  readonly #free: Slab[] = []
  #current: Slab | undefined
  #allocated = 0
  #reused = 0
  #oversize = 0
  #recycled = 0

  constructor(options: FrameSlabsOptions = {}) {
    this.slabBytes = options.slabBytes ?? 16 * 1024 * 1024
    this.#maxFree = options.maxFreeSlabs ?? 8
    this.#smallPartBytes = options.smallPartBytes ?? 0
    if (!(Number.isInteger(this.slabBytes) && this.slabBytes >= ALIGN)) {
      throw new RangeError(`slabBytes must be an integer of at least ${ALIGN}`)
    }
    if (!(Number.isInteger(this.#maxFree) && this.#maxFree >= 0)) {
      throw new RangeError('maxFreeSlabs must be a non-negative integer')
    }
  }

  /**
   * Memory for one part of `size` bytes, 64-byte aligned. Never fails for want of room: a new
   * slab is allocated when no emptied one is free.
   */
  allocate(size: number): Buffer {
    if (size === 0) return EMPTY
    if (size < this.#smallPartBytes) return Buffer.allocUnsafe(size)
    if (size > this.slabBytes) {
      this.#oversize++
      return Buffer.allocUnsafeSlow(size)
    }
    let slab = this.#current
    if (slab === undefined || slab.used + size > this.slabBytes) {
      slab = this.#take()
      this.#current = slab
    }
    const start = slab.used
    slab.used = Math.min(this.slabBytes, start + Math.ceil(size / ALIGN) * ALIGN)
    slab.holders++
    const part: Buffer & OwnedPart = slab.bytes.subarray(start, start + size)
    part[SLAB_OF] = slab
    return part
  }

  /**
   * Hand back `part` (exactly as {@link allocate} returned it): its memory may be written again
   * from now on. A part this pool did not hand out, or handed back before, is ignored. Returns
   * whether the part was taken back.
   */
  recycle(part: Uint8Array): boolean {
    const owned = part as OwnedPart
    const slab = owned[SLAB_OF]
    if (slab === undefined || !this.#ours(slab)) return false
    owned[SLAB_OF] = undefined
    this.#recycled++
    slab.holders--
    if (slab.holders > 0) return true
    // Every part of the slab is back: the slab starts again from its front.
    slab.used = 0
    if (slab !== this.#current && this.#free.length < this.#maxFree) this.#free.push(slab)
    return true
  }

  /**
   * Let `part` keep its memory for good: it is never reused, and its slab is left to the GC once
   * its other parts are recycled or dropped. For a part that may still be read after the point
   * where it would otherwise be recycled.
   */
  forget(part: Uint8Array): void {
    const owned = part as OwnedPart
    if (owned[SLAB_OF] !== undefined && this.#ours(owned[SLAB_OF])) owned[SLAB_OF] = undefined
  }

  /** What the pool did since it was made. */
  stats(): FrameSlabsStats {
    return {
      slabsAllocated: this.#allocated,
      slabsReused: this.#reused,
      oversizeParts: this.#oversize,
      partsRecycled: this.#recycled,
      freeSlabs: this.#free.length,
    }
  }

  /** Whether `slab` is one of this pool's (a part of another pool is not ours to take back). */
  #ours(slab: Slab): boolean {
    return slab.pool === this
  }

  #take(): Slab {
    const free = this.#free.pop()
    if (free !== undefined) {
      this.#reused++
      return free
    }
    this.#allocated++
    // Not touched now: the kernel faults its pages in as frames are written into them, spread
    // over the frames, rather than stalling the event loop for a whole slab (a 16 MiB fill took
    // 10–30 ms here). Nothing is read before it is written: a part is handed out whole.
    return { pool: this, bytes: Buffer.allocUnsafeSlow(this.slabBytes), used: 0, holders: 0 }
  }
}
