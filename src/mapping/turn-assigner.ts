import { StateError } from '../errors.js'
import { streamName } from '../protocol/ids.js'
import { qualifiesForBroadcast, qualifiesForConstraint } from './compile-part.js'
import { type OpenUniformPlan, openUniformPlan } from './open-uniform-plan.js'
import { GENERIC_TAG } from './virtual-worker.js'

/**
 * The one stream of a {@link TurnAssigner}'s plan: a uniform map sends every stream of an event
 * to the same workers, so one stands for all the streams an event has.
 */
const EVENTS = streamName('events')

/**
 * The events of a source read as a stream, assigned as they come to generic workers that each
 * take one event at a time, in turn: how `beamloom replay` hands its events to its worker
 * instances, by the live controller's rules. The plan is an {@link OpenUniformPlan} with
 * `all_wrap` (the uniform map, its end fixed when the source ends), and each event goes where
 * the {@link Assigner} sends it when the workers ask for one credit each, in turn: a broadcast
 * to every worker that qualifies, a constraint to the worker whose turn it is. So the first and
 * the last event (the start and end events) go to every worker and event k in between to worker
 * (k − 1) mod N; with nothing in between, the start and end events go to none, as in a live scan
 * of no frames. Pure and synchronous.
 *
 * It reads the plan's compiled parts with the Assigner's eligibility rules
 * ({@link qualifiesForBroadcast}, {@link qualifiesForConstraint}) rather than calling the
 * Assigner for every event, which would cost replay about a tenth of its speed (one credit
 * request per event, ~40 functions for V8 to warm up); a property test holds it to the Assigner
 * driven that way (`test/unit/mapping/turn-assigner.test.ts`).
 *
 * Use: {@link received} for each event read, {@link ended} when the source ends; after each,
 * {@link next} for as long as it names the workers of the next event; run that event on them,
 * then {@link completed}.
 */
export class TurnAssigner {
  /** The plan: events known so far, and their end once the source ended. */
  readonly plan: OpenUniformPlan
  readonly #workers: number
  /** Every worker's eligibility per tag set: all are generic, so one serves them all. */
  readonly #eligible: Uint8Array
  readonly #all: readonly number[]
  #received = 0
  #next = 0
  #turn = 0
  #running = false

  /** @throws RangeError for a number of workers that is not a positive integer. */
  constructor(workers: number) {
    if (!Number.isSafeInteger(workers) || workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${workers}`)
    }
    this.#workers = workers
    this.plan = openUniformPlan([EVENTS])
    this.#eligible = this.plan.tagSets.eligibility(new Set([GENERIC_TAG]))
    this.#all = Array.from({ length: workers }, (_, i) => i)
  }

  /** Whether the source ended and every event was handed out and completed. */
  get finished(): boolean {
    return this.plan.ended && this.#next === this.plan.eventCount && !this.#running
  }

  /** One more event came from the source: the one before it is not the last. */
  received(): void {
    this.#received++
    this.plan.extend(this.#received - 1)
  }

  /** The source ended: the last event received is the end event. */
  ended(): void {
    this.plan.end(this.#received)
  }

  /**
   * The workers of the next event in order, as indices into the workers, ascending (empty: the
   * event goes to nobody); undefined while the plan does not tell yet (receive more, or end).
   *
   * @throws StateError (`STATE_INVALID`) while the event handed out before is not completed.
   */
  next(): readonly number[] | undefined {
    if (this.#running) {
      throw new StateError(`event ${this.#next - 1} was handed out and not completed`)
    }
    const event = this.#next
    if (event >= this.plan.eventCount) return undefined
    const instance = this.plan.instanceOf(event)
    const part = this.plan.partOf(instance)
    const local = event - this.plan.instanceStartOf(instance)
    this.#next = event + 1
    this.#running = true
    // A broadcast reaches every worker that qualifies: all of them, being alike.
    if (part.hasBroadcast[local] === 1 && qualifiesForBroadcast(part, local, this.#eligible)) {
      return this.#all
    }
    // A constraint binds to the worker whose credit reaches it first: whose turn it is.
    for (let k = part.vwOffsets[local]!; k < part.vwOffsets[local + 1]!; k++) {
      const c = part.vwConstraint[k]!
      if (c < 0) continue
      if (!qualifiesForConstraint(part, c, this.#eligible)) {
        throw new StateError(`no worker qualifies for event ${event}`)
      }
      // The uniform map: one constraint per event, on every stream.
      const worker = this.#turn
      this.#turn = worker + 1 === this.#workers ? 0 : worker + 1
      return [worker]
    }
    return []
  }

  /**
   * The workers {@link next} named have processed its event.
   *
   * @throws StateError (`STATE_INVALID`) when no event is handed out.
   */
  completed(): void {
    if (!this.#running) throw new StateError('no event was handed out')
    this.#running = false
  }
}
