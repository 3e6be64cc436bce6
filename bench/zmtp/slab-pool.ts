/**
 * Memory for received message parts that is not allocated per frame: a fixed number of large
 * buffers (slabs), allocated and touched once when the pool is made, handed out as views.
 *
 * A slab is filled front to back; each view in it holds the slab. A message
 * ({@link PooledMessage}) holds the slabs its parts are in until its `release()`; a slab that
 * no view holds any more starts again from its front. Views are 64-byte aligned, so a consumer
 * may lay any typed array over a part. V8 sees the slabs' memory once, as external memory of
 * fixed size: receiving does not grow it, so it sets off no collections (issue 14).
 *
 * When every slab is held, `allocate` returns `undefined`; `whenSpace` tells when a release
 * may have made room. The pool never grows.
 */
import { ZmtpError } from '../../src/zmtp.js'

/** Size of one pool. */
export interface SlabPoolOptions {
  /** Bytes per slab; also the largest part the pool can hold. */
  readonly slabBytes: number
  /** Number of slabs, all allocated up front. */
  readonly slabCount: number
}

/** What the pool holds now. */
export interface SlabPoolStats {
  readonly slabCount: number
  readonly slabBytes: number
  /** Slabs some unreleased message still holds. */
  readonly heldSlabs: number
  /** Bytes handed out to messages not yet released (alignment included). */
  readonly heldBytes: number
}

const ALIGN = 64

/** One slab and its bookkeeping; internal to the pool and its messages. */
export interface Slab {
  readonly bytes: Buffer
  /** First free byte. */
  used: number
  /** Views handed out of this slab and not yet released. */
  holders: number
  /** Bytes handed out and not yet released. */
  heldBytes: number
}

/** A received message: its parts (views into the pool) until `release()`. */
export class PooledMessage {
  readonly #pool: SlabPool
  readonly #parts: Buffer[] = []
  /** Per part with bytes, the slab it is in and the bytes it took there. */
  readonly #slabs: Slab[] = []
  readonly #taken: number[] = []
  #released = false

  constructor(pool: SlabPool) {
    this.#pool = pool
  }

  /** The parts, in order. Emptied by `release()`: the memory may be reused from then on. */
  get parts(): readonly Buffer[] {
    return this.#parts
  }

  /** Bytes of all parts. */
  get byteLength(): number {
    let n = 0
    for (const p of this.#parts) n += p.length
    return n
  }

  get released(): boolean {
    return this.#released
  }

  /**
   * Give the parts' memory back to the pool. Call it once nothing reads or writes the parts
   * any more (for a forwarder: when the socket's write callback ran). Throws `ZMTP_STATE` when
   * called twice.
   */
  release(): void {
    if (this.#released) throw new ZmtpError('ZMTP_STATE', 'a pooled message released twice')
    this.#released = true
    this.#parts.length = 0
    for (let i = 0; i < this.#slabs.length; i++) {
      this.#pool.unhold(this.#slabs[i]!, this.#taken[i]!)
    }
    this.#slabs.length = 0
    this.#taken.length = 0
  }

  /** For {@link SlabPool.allocate} only: a part was added. */
  add(part: Buffer, slab: Slab | undefined, taken: number): void {
    this.#parts.push(part)
    if (slab !== undefined) {
      this.#slabs.push(slab)
      this.#taken.push(taken)
    }
  }
}

const EMPTY = Buffer.alloc(0)

/** A fixed pool of slabs (see the module comment). */
export class SlabPool {
  readonly slabBytes: number
  readonly #slabs: readonly Slab[]
  readonly #free: Slab[]
  #current: Slab
  #waiters: (() => void)[] = []
  #notifying = false

  constructor(options: SlabPoolOptions) {
    if (!(options.slabCount >= 1 && options.slabBytes >= ALIGN)) {
      throw new ZmtpError('ZMTP_CONFIG', 'a slab pool needs at least one slab of 64 bytes or more')
    }
    this.slabBytes = options.slabBytes
    const slabs: Slab[] = []
    for (let i = 0; i < options.slabCount; i++) {
      // Touched now, so page faults happen here rather than while receiving.
      const bytes = Buffer.allocUnsafeSlow(options.slabBytes).fill(0)
      slabs.push({ bytes, used: 0, holders: 0, heldBytes: 0 })
    }
    this.#slabs = slabs
    this.#current = slabs[0]!
    this.#free = slabs.slice(1).reverse()
  }

  /** A new, empty message whose parts `allocate` will add. */
  message(): PooledMessage {
    return new PooledMessage(this)
  }

  /**
   * A view of `size` bytes for `message`'s next part, or `undefined` when every slab is held
   * (see `whenSpace`). Throws `ZMTP_TOO_LARGE` for a part larger than a slab.
   */
  allocate(message: PooledMessage, size: number): Buffer | undefined {
    if (size === 0) {
      message.add(EMPTY, undefined, 0)
      return EMPTY
    }
    if (size > this.slabBytes) {
      throw new ZmtpError(
        'ZMTP_TOO_LARGE',
        `a part of ${size} bytes (slabs hold ${this.slabBytes})`,
      )
    }
    let slab = this.#current
    if (slab.used + size > this.slabBytes) {
      const next = this.#free.pop()
      if (next === undefined) return undefined
      // The old slab goes back to the free list when its last holder releases it.
      this.#current = next
      slab = next
    }
    const start = slab.used
    const taken = Math.min(this.slabBytes - start, Math.ceil(size / ALIGN) * ALIGN)
    slab.used += taken
    slab.holders++
    slab.heldBytes += taken
    const view = slab.bytes.subarray(start, start + size)
    message.add(view, slab, taken)
    return view
  }

  /**
   * Call `callback` once, soon after the next release (in a microtask, never inside
   * `release()` itself). A caller whose `allocate` failed registers here and tries again.
   */
  whenSpace(callback: () => void): void {
    this.#waiters.push(callback)
  }

  /** What the pool holds now. */
  stats(): SlabPoolStats {
    let heldSlabs = 0
    let heldBytes = 0
    for (const s of this.#slabs) {
      if (s.holders > 0) heldSlabs++
      heldBytes += s.heldBytes
    }
    return { slabCount: this.#slabs.length, slabBytes: this.slabBytes, heldSlabs, heldBytes }
  }

  /** For {@link PooledMessage.release} only. */
  unhold(slab: Slab, taken: number): void {
    slab.holders--
    slab.heldBytes -= taken
    if (slab.holders === 0) {
      slab.used = 0
      if (slab !== this.#current) this.#free.push(slab)
    }
    if (this.#waiters.length > 0 && !this.#notifying) {
      this.#notifying = true
      queueMicrotask(() => this.#notify())
    }
  }

  #notify(): void {
    this.#notifying = false
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }
}
