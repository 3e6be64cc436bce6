import { randomUUID } from 'node:crypto'
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Frames at least this large go through shared memory; smaller ones travel in the message. */
export const DEFAULT_INLINE_MAX_BYTES = 32 * 1024
const ALIGN = 64

/**
 * A file on /dev/shm that holds the large frames of one batch for the Python host, which maps
 * it and hands numpy views of it to the analysis (no copy in the host). Written from offset 0
 * for every batch: the host reads a batch before the next is written. When the host reports
 * that user code kept a view into a batch, {@link rotate} moves on to a new file (the host's
 * mapping of the old one stays valid after the unlink).
 */
export class FrameSegment {
  readonly #dir: string
  #path: string | undefined
  #fd: number | undefined
  #used = 0
  #announced = false

  constructor(dir: string) {
    this.#dir = dir
  }

  /** Start a batch: frames are written from the start of the file again. */
  reset(): void {
    this.#used = 0
  }

  /** Bytes written in this batch (what the host maps). */
  get used(): number {
    return this.#used
  }

  /** The file's path when the host has not been told it yet (then it has). */
  takeAnnouncement(): string | undefined {
    if (this.#announced || this.#path === undefined || this.#fd === undefined) return undefined
    this.#announced = true
    return this.#path
  }

  /** Write a frame; returns `[offset, length]` for the message. */
  write(frame: Uint8Array): [number, number] {
    if (this.#fd === undefined) {
      this.#path = join(this.#dir, `beamloom-py-${process.pid}-${randomUUID()}.frames`)
      this.#fd = openSync(this.#path, 'w+', 0o600)
      this.#announced = false
    }
    const offset = this.#used
    let done = 0
    while (done < frame.length) {
      done += writeSync(this.#fd, frame, done, frame.length - done, offset + done)
    }
    this.#used = Math.ceil((offset + frame.length) / ALIGN) * ALIGN
    return [offset, frame.length]
  }

  /**
   * The host has opened the announced file (a reply came after the announcement): remove its
   * path, keep writing through our descriptor, so nothing is left on /dev/shm if either process
   * dies.
   */
  hostOpened(): void {
    if (!this.#announced || this.#path === undefined) return
    try {
      unlinkSync(this.#path)
    } catch {
      // gone already: nothing to remove
    }
    this.#path = undefined
  }

  /** Leave the current file to the host (user code kept views into it); use a new one. */
  rotate(): void {
    this.close()
  }

  /** Close and remove the file. Idempotent. */
  close(): void {
    if (this.#fd !== undefined) {
      try {
        closeSync(this.#fd)
      } catch {
        // closed already: nothing left to release
      }
    }
    if (this.#path !== undefined) {
      try {
        unlinkSync(this.#path)
      } catch {
        // removed already (a tmp cleaner): nothing left to release
      }
    }
    this.#fd = undefined
    this.#path = undefined
    this.#used = 0
  }
}
