/**
 * A binary min-heap ordered by a numeric key: `push` and `pop` in O(log n), no per-item
 * allocation beyond the items themselves. Equal keys leave in no particular order.
 */
export class MinHeap<T> {
  readonly #items: T[] = []
  readonly #key: (item: T) => number

  constructor(key: (item: T) => number) {
    this.#key = key
  }

  /** Items in the heap. */
  get size(): number {
    return this.#items.length
  }

  /** Add an item. */
  push(item: T): void {
    const items = this.#items
    const key = this.#key
    items.push(item)
    let i = items.length - 1
    const k = key(item)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (key(items[parent]!) <= k) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = item
  }

  /** Remove and return the item with the smallest key, or `undefined` when empty. */
  pop(): T | undefined {
    const items = this.#items
    const top = items[0]
    const last = items.pop()
    if (items.length === 0 || last === undefined) return top
    const key = this.#key
    const k = key(last)
    const n = items.length
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && key(items[right]!) < key(items[left]!) ? right : left
      if (key(items[child]!) >= k) break
      items[i] = items[child]!
      i = child
    }
    items[i] = last
    return top
  }
}
