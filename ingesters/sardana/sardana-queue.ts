import { aborted, type SardanaBodyType } from '../../src/internal.js'

/** One posted body, as the frame the ingester forwards, with the series it belongs to. */
export interface SardanaItem {
  /** Counts `data_desc`s since the listener started (1 for the first series). */
  readonly series: number
  readonly type: SardanaBodyType
  readonly frame: Uint8Array
}

/** Why a post was refused. */
export type SardanaRefusal =
  | { readonly status: 400; readonly code: 'PROTOCOL_INVALID'; readonly message: string }
  | { readonly status: 503; readonly code: 'QUEUE_FULL'; readonly message: string }

/** Counters of a {@link SardanaQueue}. */
export interface SardanaQueueStats {
  /** Bodies accepted. */
  accepted: number
  /** Bodies dropped unread: queued for a series nobody read before a newer one began. */
  dropped: number
  /** Series begun without the previous one's `record_end`. */
  abandoned: number
}

/**
 * The bodies Sardana posted, in order, until an upstream reads them. It enforces the order of a
 * series (`data_desc`, `record_data`…, `record_end`): a record or an end with no open series is
 * refused (400); a `data_desc` while a series is open abandons that series (Sardana restarted)
 * and begins a new one. Bodies posted while no scan reads are kept for the next scan (Dranspose
 * queues them too); when a series begins and no reader is attached, the unread bodies of older
 * series are dropped, so an idle ingester does not fill up. At `maxItems` queued, posts are
 * refused (503) until a reader catches up.
 */
export class SardanaQueue {
  readonly #maxItems: number
  #items: (SardanaItem | undefined)[] = []
  #head = 0
  #series = 0
  #open = false
  #readers = 0
  #wake: (() => void) | undefined
  readonly stats: SardanaQueueStats = { accepted: 0, dropped: 0, abandoned: 0 }

  constructor(maxItems: number) {
    this.#maxItems = maxItems
  }

  /** The number of the latest series (0 before the first `data_desc`). */
  get series(): number {
    return this.#series
  }

  /** Whether a series is open (a `data_desc` came, its `record_end` not yet). */
  get open(): boolean {
    return this.#open
  }

  /** Bodies waiting to be read. */
  get length(): number {
    return this.#items.length - this.#head
  }

  /** Add a posted body; returns a refusal instead when it is out of order or the queue is full. */
  push(type: SardanaBodyType, frame: Uint8Array): SardanaRefusal | undefined {
    if (this.length >= this.#maxItems) {
      return {
        status: 503,
        code: 'QUEUE_FULL',
        message: `the Sardana ingester holds ${this.length} unread bodies (its limit); no scan is reading them`,
      }
    }
    if (type === 'DataDescription') {
      if (this.#open) this.stats.abandoned++
      if (this.#readers === 0) this.#dropUnread()
      this.#series++
      this.#open = true
    } else if (!this.#open) {
      const path = type === 'RecordData' ? '/v1/record_data' : '/v1/record_end'
      return {
        status: 400,
        code: 'PROTOCOL_INVALID',
        message: `${path} without an open scan: post /v1/data_desc first (no scan description since the last record_end)`,
      }
    } else if (type === 'RecordEnd') {
      this.#open = false
    }
    this.#items.push({ series: this.#series, type, frame })
    this.stats.accepted++
    this.#wake?.()
    return undefined
  }

  /** Count a reader in (an upstream of a running scan); returns its release. */
  attach(): () => void {
    this.#readers++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#readers--
    }
  }

  /** The next body, waiting for one; rejects with `signal.reason` when `signal` aborts. */
  async take(signal: AbortSignal): Promise<SardanaItem> {
    for (;;) {
      // An aborted read takes nothing: the body stays for the next reader.
      if (signal.aborted) throw signal.reason
      const item = this.#items[this.#head]
      if (item !== undefined) {
        this.#items[this.#head] = undefined
        this.#head++
        this.#compact()
        return item
      }
      const done = new AbortController()
      const arrived = new Promise<void>((resolve) => {
        this.#wake = resolve
      })
      try {
        await Promise.race([arrived, aborted(signal, done.signal)])
      } finally {
        // Removes the abort listener, so waiting item after item does not pile them up.
        done.abort()
        this.#wake = undefined
      }
    }
  }

  /** Put a body taken too early back at the front (it belongs to the next scan). */
  unshift(item: SardanaItem): void {
    if (this.#head > 0) {
      this.#head--
      this.#items[this.#head] = item
    } else {
      this.#items.unshift(item)
    }
  }

  #dropUnread(): void {
    this.stats.dropped += this.length
    this.#items = []
    this.#head = 0
  }

  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }
}
