import { readSync } from 'node:fs'

/**
 * The item of the current call that the host runs (0-based), from its progress file (8 bytes:
 * request number, item + 1, little-endian; written by the host before each item; `fd` stays
 * open after the file is unlinked), or `undefined` when no item started or the mark is about
 * another request.
 */
export function readRunningItem(fd: number, request: number): number | undefined {
  const buf = Buffer.alloc(8)
  try {
    readSync(fd, buf, 0, 8, 0)
  } catch {
    return undefined // closed with the host: the item is unknown
  }
  if (buf.readUInt32LE(0) !== request >>> 0) return undefined
  const item = buf.readUInt32LE(4)
  return item === 0 ? undefined : item - 1
}

/**
 * The time limit of one call, per item: checked every quarter of `timeoutMs`; when the running
 * item has not changed over four checks (it ran at least `timeoutMs`, at most 1.25 times that),
 * `onExpired` runs. No timer for an infinite limit.
 */
export class CallDeadline {
  readonly #timeoutMs: number
  readonly #running: () => number | undefined
  readonly #onExpired: () => void
  #timer: NodeJS.Timeout | undefined
  #lastItem = -2
  #unchanged = 0

  constructor(timeoutMs: number, running: () => number | undefined, onExpired: () => void) {
    this.#timeoutMs = timeoutMs
    this.#running = running
    this.#onExpired = onExpired
    this.#arm()
  }

  #arm(): void {
    if (!Number.isFinite(this.#timeoutMs)) return
    this.#timer = setTimeout(
      () => {
        const item = this.#running() ?? -1
        if (item !== this.#lastItem) {
          this.#lastItem = item
          this.#unchanged = 0
        } else if (++this.#unchanged >= 4) {
          this.#onExpired()
          return
        }
        this.#arm()
      },
      Math.max(5, this.#timeoutMs / 4),
    )
    this.#timer.unref?.()
  }

  cancel(): void {
    clearTimeout(this.#timer)
  }
}
