/**
 * Large frames into an analysis thread without structured clone (issue 14).
 *
 * Posting a `Uint8Array` to a worker thread copies it twice (serialise, deserialise) into fresh
 * memory, which the thread's V8 then has to collect: for megabyte frames that was most of a
 * worker's CPU. Instead, the engine copies each large frame once into a `SharedArrayBuffer` of
 * a pool and posts the buffer (shared, not copied); the thread hands the analysis a view of it.
 *
 * A pooled buffer is used again only after the thread's garbage collector saw that nothing
 * references it any more: the thread registers every buffer object it received with a
 * `FinalizationRegistry`, whose callback clears the buffer's "in use" flag (a shared
 * `Int32Array`). So an analysis may keep a frame, or its `.buffer`, as long as it likes; that
 * buffer simply stays out of the pool. When the pool is at its byte cap and nothing is free,
 * frames are posted as before (copied), so memory stays bounded and nothing waits.
 */

import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** A large frame as the engine posts it: a pooled buffer and the frame's length in it. */
export interface SharedFrame {
  readonly shared: SharedArrayBuffer
  /** Index of the buffer's "in use" flag. */
  readonly slot: number
  readonly byteLength: number
}

/** Options of {@link SharedFramePool}. */
export interface SharedFramePoolOptions {
  /** Frames shorter than this are posted as they are (a copy is cheaper than a lease). */
  readonly minFrameBytes?: number
  /** Most bytes the pool's buffers may take together. */
  readonly maxPoolBytes?: number
  /** Most buffers (the length of the flag array shared with the thread). */
  readonly maxBuffers?: number
}

const DEFAULTS = { minFrameBytes: 64 * 1024, maxPoolBytes: 256 * 2 ** 20, maxBuffers: 1024 }

/** The engine's side: leases pooled buffers and copies frames into them. */
export class SharedFramePool {
  /** One flag per buffer: 1 while the thread may still hold it, 0 when it can be reused. */
  readonly inUse: Int32Array
  readonly #minFrameBytes: number
  readonly #maxPoolBytes: number
  readonly #buffers: SharedArrayBuffer[] = []
  #poolBytes = 0
  #leases = 0
  #reuses = 0
  #copies = 0

  constructor(options: SharedFramePoolOptions = {}) {
    const o = { ...DEFAULTS, ...options }
    this.#minFrameBytes = o.minFrameBytes
    this.#maxPoolBytes = o.maxPoolBytes
    this.inUse = new Int32Array(new SharedArrayBuffer(4 * o.maxBuffers))
  }

  /** Large frames sent through the pool so far. */
  get leases(): number {
    return this.#leases
  }

  /** Leases that reused a buffer (the rest allocated one). */
  get reuses(): number {
    return this.#reuses
  }

  /** Large frames posted as a copy because the pool was full. */
  get copies(): number {
    return this.#copies
  }

  /** Bytes of all pooled buffers. */
  get poolBytes(): number {
    return this.#poolBytes
  }

  /** The most bytes the pool may take (its cap). */
  get maxPoolBytes(): number {
    return this.#maxPoolBytes
  }

  /** What to post for `frame`: itself (small, or the pool is full) or a pooled copy. */
  wrap(frame: Uint8Array): Uint8Array | SharedFrame {
    const length = frame.byteLength
    if (length < this.#minFrameBytes) return frame
    const slot = this.#free(length) ?? this.#grow(length)
    if (slot === undefined) {
      this.#copies++
      return frame
    }
    const shared = this.#buffers[slot]!
    new Uint8Array(shared, 0, length).set(frame)
    this.#leases++
    return { shared, slot, byteLength: length }
  }

  /** A free buffer that fits, the smallest first; marks it in use. */
  #free(length: number): number | undefined {
    let best: number | undefined
    for (let i = 0; i < this.#buffers.length; i++) {
      const capacity = this.#buffers[i]!.byteLength
      if (capacity < length || Atomics.load(this.inUse, i) !== 0) continue
      if (best === undefined || capacity < this.#buffers[best]!.byteLength) best = i
    }
    if (best === undefined) return undefined
    Atomics.store(this.inUse, best, 1)
    this.#reuses++
    return best
  }

  /** A new buffer (length rounded up to 64 KiB), unless the pool is at its cap. */
  #grow(length: number): number | undefined {
    const capacity = Math.ceil(length / 65536) * 65536
    if (this.#buffers.length >= this.inUse.length) return undefined
    if (this.#poolBytes + capacity > this.#maxPoolBytes) return undefined
    this.#buffers.push(new SharedArrayBuffer(capacity))
    this.#poolBytes += capacity
    const slot = this.#buffers.length - 1
    Atomics.store(this.inUse, slot, 1)
    return slot
  }
}

/** Whether a posted frame is a {@link SharedFrame}. */
export function isSharedFrame(frame: Uint8Array | SharedFrame): frame is SharedFrame {
  return !(frame instanceof Uint8Array) && frame.shared instanceof SharedArrayBuffer
}

/** The thread's side of the pool (see {@link sharedFrameReader}). */
export interface SharedFrameReader {
  /** The frame as the analysis sees it: itself, or a view of its pooled buffer. */
  read(frame: Uint8Array | SharedFrame): Uint8Array
  /**
   * Between batches: once the frames received since the last collection add up to half the
   * pool, run a collection, so buffers nothing holds any more go back to the pool. (The thread
   * allocates little else: left to V8, it collects too seldom and the pool runs dry.)
   */
  collectIfDue(): void
}

/**
 * The thread's side: turns posted frames back into `Uint8Array`s and gives each pooled buffer
 * back once the thread holds no reference to it. `inUse` is the pool's flag array, `poolBytes`
 * its cap.
 */
export function sharedFrameReader(inUse: Int32Array, poolBytes: number): SharedFrameReader {
  const released = new FinalizationRegistry<number>((slot) => Atomics.store(inUse, slot, 0))
  const gc = collector()
  let bytesSinceCollection = 0
  return {
    read: (frame) => {
      if (!isSharedFrame(frame)) return frame
      // The buffer object is new in this thread for every message: its collection means no
      // view of this frame (nor the buffer itself) is reachable any more.
      released.register(frame.shared, frame.slot)
      bytesSinceCollection += frame.byteLength
      return new Uint8Array(frame.shared, 0, frame.byteLength)
    },
    collectIfDue: () => {
      if (gc === undefined || bytesSinceCollection < poolBytes / 2) return
      bytesSinceCollection = 0
      gc()
    },
  }
}

/**
 * V8's `gc()` (a full collection: a young one does not run finalization callbacks; a few
 * milliseconds on a thread's small heap), or undefined where it cannot be had. `--expose-gc`
 * set at run time applies to contexts created afterwards, such as this one from `vm`; it
 * exposes `gc` there and nowhere else.
 */
function collector(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    if (typeof gc !== 'function') return undefined
    return () => gc()
  } catch {
    // No way to ask for a collection: buffers come back whenever V8 collects on its own.
    return undefined
  }
}
