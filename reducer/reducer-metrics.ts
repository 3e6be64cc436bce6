import { Counter, Gauge, Histogram, Registry } from 'prom-client'

/**
 * The reducer's Prometheus metrics, on a registry of its own (several reducers may live in one
 * process: `beamloom up`, tests). Counters are incremented once per batch, not per event.
 */
export class ReducerMetrics {
  readonly registry = new Registry()
  /** Result items received, by outcome (`result`, `done`, `failed`). */
  readonly itemsIn: Counter<'outcome'>
  /** Items dropped because their (event, slot) was already reduced. */
  readonly duplicates: Counter
  /** Items dropped because their scan had ended or was unknown. */
  readonly late: Counter
  /** Failures of user code, by call (`processResult`, `timer`, `finish`, `constructor`). */
  readonly failures: Counter<'call'>
  /** Duration of each `processResult` call. */
  readonly processResultSeconds: Histogram
  /** Completion reports appended. */
  readonly completionReports: Counter

  /** `updateClients`: how many `/api/v1/updates` streams are open (default none). */
  constructor(queueDepth: () => number, updateClients: () => number = () => 0) {
    const registers = [this.registry]
    this.itemsIn = new Counter({
      name: 'beamloom_reducer_items_total',
      help: 'Result items received from workers, by outcome',
      labelNames: ['outcome'],
      registers,
    })
    this.duplicates = new Counter({
      name: 'beamloom_reducer_duplicates_total',
      help: 'Result items dropped because their (event, slot) was already reduced',
      registers,
    })
    this.late = new Counter({
      name: 'beamloom_reducer_late_total',
      help: 'Result items dropped because their scan had ended or is unknown',
      registers,
    })
    this.failures = new Counter({
      name: 'beamloom_reducer_failures_total',
      help: 'Failures of the reducer analysis, by call',
      labelNames: ['call'],
      registers,
    })
    this.processResultSeconds = new Histogram({
      name: 'beamloom_reducer_process_result_seconds',
      help: 'Duration of processResult calls',
      buckets: [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
      registers,
    })
    this.completionReports = new Counter({
      name: 'beamloom_reducer_completion_reports_total',
      help: 'Completion reports appended to the control plane',
      registers,
    })
    new Gauge({
      name: 'beamloom_reducer_queue_depth',
      help: 'Result items received and not yet handled',
      registers,
      collect() {
        this.set(queueDepth())
      },
    })
    new Gauge({
      name: 'beamloom_reducer_update_clients',
      help: 'Open server-sent-event streams (GET /api/v1/updates)',
      registers,
      collect() {
        this.set(updateClients())
      },
    })
  }
}
