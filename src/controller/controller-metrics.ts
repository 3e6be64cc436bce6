import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Controller } from './controller.js'

/**
 * Prometheus metrics of one controller app, in a registry of its own (two apps in one process
 * never share counters): scans started, events assigned, completed and failed, assignment
 * entries, active workers, events outstanding (handed out, not complete), request durations.
 * Scan counters are read from the controller when scraped.
 */
export function installMetrics(app: FastifyInstance, controller: Controller): Registry {
  const registry = new Registry()
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  }
  counter(
    'beamloom_controller_scans_started_total',
    'Scans started',
    () => controller.stats().scansStarted,
  )
  counter(
    'beamloom_controller_events_assigned_total',
    'Events given to workers',
    () => controller.stats().eventsAssigned,
  )
  counter(
    'beamloom_controller_events_completed_total',
    'Worker completions accepted',
    () => controller.stats().completionsAccepted,
  )
  counter(
    'beamloom_controller_events_failed_total',
    'Events whose analysis failed',
    () => controller.stats().failedEvents,
  )
  counter(
    'beamloom_controller_assignment_entries_total',
    'Assignment entries published',
    () => controller.stats().entries,
  )
  counter(
    'beamloom_controller_credit_requests_total',
    'Credit requests received',
    () => controller.stats().creditRequests,
  )
  new Gauge({
    name: 'beamloom_controller_active_workers',
    help: 'Workers in the running scan',
    registers: [registry],
    collect() {
      this.set(controller.stats().activeWorkers)
    },
  })
  new Gauge({
    name: 'beamloom_controller_events_outstanding',
    help: 'Events handed out and not yet complete in the running scan (the queue across workers)',
    registers: [registry],
    collect() {
      const p = controller.progress()
      this.set(p.finished ? 0 : Math.max(0, p.last_assigned - p.completed_events))
    },
  })
  new Gauge({
    name: 'beamloom_controller_scan_events_total',
    help: 'Events in the running (or last) scan',
    registers: [registry],
    collect() {
      this.set(controller.progress().total_events)
    },
  })
  const duration = new Histogram({
    name: 'beamloom_controller_http_request_duration_seconds',
    help: 'HTTP request durations',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
  })
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.header('content-type', registry.contentType).send(await registry.metrics())
  })
  return registry
}
