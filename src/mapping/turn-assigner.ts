import { StateError } from '../errors.js'
import { streamName, type WorkerName } from '../protocol/ids.js'
import { Assigner } from './assigner.js'
import type { AssignmentBatch } from './assigner-types.js'
import { EventRangeSet } from './event-range-set.js'
import { type OpenUniformPlan, openUniformPlan } from './open-uniform-plan.js'

/**
 * The one stream of a {@link TurnAssigner}'s plan: a uniform map sends every stream of an event
 * to the same workers, so one stands for all the streams an event has.
 */
const EVENTS = streamName('events')

/**
 * Completed events are reported to the assigner this many at a time: the worker has processed
 * them, and nothing the assigner decides depends on it sooner (its horizon is 10,000 events).
 */
const COMPLETION_BATCH = 64

/**
 * The events of a source read as a stream, assigned as they come by the live {@link Assigner}
 * over an {@link OpenUniformPlan} with `all_wrap`, to workers that each take one event at a
 * time, in turns: how `beamloom replay` hands its events to its worker instances. In its turn
 * each worker asks for one credit, so the first and the last event (the start and end events)
 * go to every worker and event k in between to worker (k − 1) mod N; with nothing in between,
 * the start and end events go to none, as in a live scan of no frames. Pure and synchronous.
 *
 * Use: {@link received} for each event read, {@link ended} when the source ends; after each,
 * {@link next} for as long as it names the workers of the next event; run that event on them,
 * then {@link completed}.
 */
export class TurnAssigner {
  /** The live assigner, over the open plan. */
  readonly assigner: Assigner<OpenUniformPlan>
  readonly #workers: readonly WorkerName[]
  readonly #indexOf: ReadonlyMap<string, number>
  /** Workers given the events {@link next} has not handed out yet: `#next`, `#next + 1`, … */
  readonly #given: number[][] = []
  #received = 0
  #next = 0
  #turn = 0
  /** Workers of the event {@link next} handed out, until {@link completed}. */
  #running: readonly number[] | undefined
  /** Per worker, the events it completed that the assigner has not been told of yet. */
  readonly #done: EventRangeSet[]
  #undone = 0

  /** @throws RangeError for no workers or a name given twice. */
  constructor(workers: readonly WorkerName[]) {
    if (workers.length === 0 || new Set(workers).size !== workers.length) {
      throw new RangeError('a turn assigner needs one or more distinct workers')
    }
    this.#workers = [...workers]
    this.#indexOf = new Map(workers.map((name, i) => [name, i]))
    this.#done = workers.map(() => new EventRangeSet())
    this.assigner = new Assigner(openUniformPlan([EVENTS]))
    for (const name of workers) this.assigner.addWorker(name)
  }

  /** Whether every event was handed out and completed, and the source ended. */
  get finished(): boolean {
    return this.assigner.finished
  }

  /** One more event came from the source: the one before it is not the last. */
  received(): void {
    this.#received++
    this.#take(this.assigner.extendPlan(this.#received - 1))
  }

  /** The source ended: the last event received is the end event. */
  ended(): void {
    this.#take(this.assigner.endPlan(this.#received))
  }

  /**
   * The workers of the next event in order, as indices into the workers, ascending (empty: the
   * event goes to nobody); undefined while the plan does not tell yet (receive more, or end).
   *
   * @throws StateError (`STATE_INVALID`) while the event handed out before is not completed.
   */
  next(): readonly number[] | undefined {
    if (this.#running !== undefined) {
      throw new StateError(`event ${this.#next - 1} was handed out and not completed`)
    }
    const event = this.#next
    if (event >= this.assigner.plan.eventCount) return undefined
    const n = this.#workers.length
    for (let asked = 0; this.assigner.releasedFrontier <= event; asked++) {
      // Every worker asking once releases any event: a broadcast needs each worker once.
      if (asked === n) throw new StateError(`event ${event} was not released to ${n} workers`)
      const i = this.#turn
      this.#turn = i + 1 === n ? 0 : i + 1
      this.#take(this.assigner.request(this.#workers[i]!, 1))
    }
    const workers = this.#given.shift() ?? []
    if (workers.length > 1) workers.sort((a, b) => a - b)
    this.#next = event + 1
    this.#running = workers
    return workers
  }

  /**
   * The workers {@link next} named have processed its event.
   *
   * @throws StateError (`STATE_INVALID`) when no event is handed out.
   */
  completed(): void {
    const running = this.#running
    if (running === undefined) throw new StateError('no event was handed out')
    const event = this.#next - 1
    for (const i of running) this.#done[i]!.add(event)
    this.#running = undefined
    const plan = this.assigner.plan
    if (++this.#undone >= COMPLETION_BATCH || (plan.ended && this.#next === plan.eventCount)) {
      this.#report()
    }
  }

  #report(): void {
    this.#undone = 0
    this.#done.forEach((set, i) => {
      if (set.size === 0) return
      this.#take(this.assigner.complete(this.#workers[i]!, set.ranges()).batch)
      set.clear()
    })
  }

  #take(batch: AssignmentBatch): void {
    const grants = batch.grants
    for (let g = 0; g < grants.length; g++) {
      const grant = grants[g]!
      const i = this.#indexOf.get(grant.worker)!
      const ranges = grant.events
      for (let r = 0; r < ranges.length; r++) {
        const range = ranges[r]!
        for (let k = range[0] - this.#next; k < range[1] - this.#next; k++) {
          while (this.#given.length <= k) this.#given.push([])
          this.#given[k]!.push(i)
        }
      }
    }
  }
}
