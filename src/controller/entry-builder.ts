import type { Assigner, AssignmentBatch } from '../mapping/index.js'
import type { StreamName } from '../protocol/ids.js'
import type { AssignmentEntry, RouteTuple, SlotTuple } from '../protocol/scan-messages.js'
import type { JournalInput } from './scan-journal.js'

/** An assignment entry being put together, with the journal of the inputs behind it. */
export interface DraftEntry {
  released: [number, number] | undefined
  rerouted: [number, number][]
  routes: Map<string, RouteTuple[]>
  slots: SlotTuple[]
  workerSlots: Record<string, number>
  inputs: JournalInput[]
  credits: string
  completions: string
  completedFrontier: number
  /** Something others must hear about (events, slots or a frontier move). */
  content: boolean
}

/**
 * Folds what successive `Assigner` calls return into `AssignmentEntry` drafts, reading the routes
 * of each batch right away (they are only readable until the next mutating call, ADR 0005).
 *
 * Several calls fold into one draft, except that a batch with re-routed events always starts a
 * new draft: an entry never carries two routings of one event.
 */
export class EntryBuilder {
  readonly #assigner: Assigner
  readonly #streams: readonly StreamName[]
  #open: DraftEntry
  #published: number

  constructor(assigner: Assigner, cursors: { credits: string; completions: string }) {
    this.#assigner = assigner
    this.#streams = assigner.plan.streams
    this.#published = assigner.completedFrontier
    this.#open = this.#draft(cursors.credits, cursors.completions)
  }

  /** The draft inputs are currently added to. */
  get open(): DraftEntry {
    return this.#open
  }

  /**
   * Record an input in the journal of the draft its batch went to (call after {@link batch}).
   */
  input(input: JournalInput): void {
    this.#open.inputs.push(input)
  }

  /** Note the id of the last credit request or completion report applied. */
  cursor(kind: 'credits' | 'completions', id: string): void {
    this.#open[kind] = id
  }

  /** Announce a worker's own slot in the open draft. */
  workerSlot(worker: string, slot: number): void {
    this.#open.workerSlots[worker] = slot
    this.#open.content = true
  }

  /** Add one call's batch (and the slot overrides it implies) to the drafts. */
  batch(batch: AssignmentBatch, slots: readonly SlotTuple[]): void {
    const [from, to] = batch.released
    if (batch.rerouted.length > 0 && this.#open.content) this.#seal()
    const d = this.#open
    if (to > from) {
      d.released = d.released === undefined ? [from, to] : [d.released[0], to]
      this.#addRoutes(from, to)
    }
    for (const [a, b] of batch.rerouted) {
      d.rerouted.push([a, b])
      this.#addRoutes(a, b)
    }
    d.slots.push(...slots)
    if (to > from || batch.rerouted.length > 0 || slots.length > 0) d.content = true
    this.#frontier()
  }

  /** Note a possible move of the completed frontier (after completions). */
  frontier(): void {
    this.#frontier()
  }

  /**
   * Take the drafts ready to publish, oldest first, and open a new one. Drafts without content
   * stay open (their journal waits for the next entry).
   */
  take(): DraftEntry[] {
    if (this.#open.content) this.#seal()
    const out = this.#sealed
    this.#sealed = []
    return out
  }

  /** Number of sealed drafts waiting to be taken. */
  get waiting(): number {
    return this.#sealed.length + (this.#open.content ? 1 : 0)
  }

  #sealed: DraftEntry[] = []

  #seal(): void {
    this.#sealed.push(this.#open)
    this.#open = this.#draft(this.#open.credits, this.#open.completions)
  }

  #frontier(): void {
    const f = this.#assigner.completedFrontier
    this.#open.completedFrontier = f
    if (f > this.#published) {
      this.#published = f
      this.#open.content = true
    }
  }

  #addRoutes(from: number, to: number): void {
    const routes = this.#open.routes
    for (const stream of this.#streams) {
      let list = routes.get(stream)
      if (list === undefined) {
        list = []
        routes.set(stream, list)
      }
      for (const r of this.#assigner.routes(stream, from, to)) {
        const workers = r.workers === null ? null : [...r.workers]
        const last = list[list.length - 1]
        if (last !== undefined && last[1] === r.start && sameWorkers(last[2], workers)) {
          last[1] = r.end
        } else {
          list.push([r.start, r.end, workers])
        }
      }
    }
  }

  #draft(credits: string, completions: string): DraftEntry {
    return {
      released: undefined,
      rerouted: [],
      routes: new Map(),
      slots: [],
      workerSlots: {},
      inputs: [],
      credits,
      completions,
      completedFrontier: this.#assigner.completedFrontier,
      content: false,
    }
  }
}

/** The wire form of a draft, numbered `seq`; `releasedTo` is the frontier for an empty release. */
export function toAssignmentEntry(d: DraftEntry, seq: number, releasedTo: number): AssignmentEntry {
  return {
    seq,
    released: d.released ?? [releasedTo, releasedTo],
    rerouted: d.rerouted,
    routes: Object.fromEntries(d.routes),
    slots: d.slots,
    workerSlots: d.workerSlots,
    completedFrontier: d.completedFrontier,
  }
}

function sameWorkers(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b
  return a.length === b.length && a.every((w, i) => w === b[i])
}
