import type { ProcessInfo } from '../control/process-info.js'
import type { ScanPlan } from '../mapping/index.js'
import type { ScanRun } from './scan-run.js'

/** What a scan that makes no progress waits for, and since when. */
export interface Stall {
  /** Epoch ms of the last progress. */
  readonly since: number
  /** Human-readable, one item per missing part or outstanding piece of work. */
  readonly waitingFor: readonly string[]
}

/** Options of {@link ScanWatch}. */
export interface ScanWatchOptions {
  /** No progress for this long makes the scan stalled (reported), ms. */
  readonly warnAfterMs: number
  /** No progress for this long fails the scan, ms; 0 never. */
  readonly failAfterMs: number
}

/** What {@link ScanWatch.check} decided. */
export type WatchVerdict =
  | { readonly kind: 'progress' }
  | { readonly kind: 'stalled'; readonly stall: Stall; readonly changed: boolean }
  | { readonly kind: 'deadline'; readonly stall: Stall }

/**
 * Watches one scan for progress (DESIGN.md "Nothing silent"): anything that moves — events
 * released, assigned or completed — is progress. A scan without progress for `warnAfterMs` is
 * stalled, and what it waits for is worked out from the registry and the assignment: streams
 * without a live ingester, tags no live worker has, no reducer, or the workers holding events
 * not completed. After `failAfterMs` (when set) the scan is due to fail. Pure but for the clock
 * the caller passes.
 */
export class ScanWatch {
  readonly #o: ScanWatchOptions
  #signature = ''
  #lastProgress: number
  #stall: Stall | undefined

  constructor(options: ScanWatchOptions, now: number) {
    this.#o = options
    this.#lastProgress = now
  }

  /** The current stall, if the scan is stalled. */
  get stall(): Stall | undefined {
    return this.#stall
  }

  /**
   * Look at the scan now. `live` are the processes of the registry. Resolves whether it made
   * progress since the last look, is stalled (`changed`: newly, or waiting for something else),
   * or ran past the deadline.
   */
  check(run: ScanRun, live: readonly ProcessInfo[], now: number): WatchVerdict {
    const a = run.assigner
    const s = run.stats
    const signature = `${a.releasedFrontier}:${a.completedFrontier}:${s.eventsAssigned}:${s.completionsAccepted}`
    if (signature !== this.#signature) {
      this.#signature = signature
      this.#lastProgress = now
      this.#stall = undefined
      return { kind: 'progress' }
    }
    const idle = now - this.#lastProgress
    if (idle < this.#o.warnAfterMs) return { kind: 'progress' }
    const waiting = waitingFor(run, live)
    const before = this.#stall
    const stall: Stall = { since: this.#lastProgress, waitingFor: waiting }
    this.#stall = stall
    if (this.#o.failAfterMs > 0 && idle >= this.#o.failAfterMs) return { kind: 'deadline', stall }
    const changed = before === undefined || before.waitingFor.join('\n') !== waiting.join('\n')
    return { kind: 'stalled', stall, changed }
  }
}

/** What `run` waits for, given the live processes. */
export function waitingFor(run: ScanRun, live: readonly ProcessInfo[]): string[] {
  const out: string[] = []
  const served = new Set(live.filter((p) => p.role === 'ingester').flatMap((p) => p.streams ?? []))
  for (const stream of run.scan.streams) {
    if (!served.has(stream)) out.push(`a live ingester for stream '${stream}'`)
  }
  if (!live.some((p) => p.role === 'reducer')) out.push('a live reducer')
  const workers = live.filter((p) => p.role === 'worker')
  if (workers.length === 0) out.push('a live worker')
  else out.push(...missingTags(run.assigner.plan, workers))
  if (out.length > 0) return out
  if (run.assigner.finished) return ['the scan to end (every event is complete)']
  const members = run.members
  for (const p of workers) {
    if (!members.has(p.name)) out.push(`worker '${p.name}' to join the scan (it is live)`)
  }
  for (const name of run.assigner.workers) {
    const held = run.assigner.heldBy(name)
    if (held.length === 0) {
      // Nothing to do and no credits: it has not asked for work (or its results are unacknowledged).
      if (run.assigner.creditsOf(name) <= 0) out.push(`worker '${name}' to ask for work`)
      continue
    }
    const [from, to] = held[0]!
    const count = held.reduce((n, [f, t]) => n + t - f, 0)
    out.push(
      `worker '${name}' to complete ${count} event${count === 1 ? '' : 's'} (first: ${from}${to - from > 1 ? `–${to - 1}` : ''})`,
    )
  }
  if (out.length === 0) out.push('events to be released (no worker asks for work)')
  return out
}

/** Tag sets of the plan that no live worker has. */
function missingTags(plan: ScanPlan, workers: readonly ProcessInfo[]): string[] {
  const covered = new Uint8Array(plan.tagSets.size)
  for (const w of workers) {
    const tags = new Set(w.tags.length > 0 ? w.tags : ['generic'])
    plan.tagSets.eligibility(tags).forEach((ok, i) => {
      if (ok === 1) covered[i] = 1
    })
  }
  const out: string[] = []
  covered.forEach((ok, i) => {
    if (ok === 0) out.push(`a live worker with tags [${plan.tagSets.tagsOf(i).join(', ')}]`)
  })
  return out
}
