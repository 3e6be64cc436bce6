import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the fake controller answers on `/api/v1/status` (the fields the autoscaler reads). */
export interface FakeStatus {
  scan_id: string | null
  status: 'idle' | 'running' | 'finished' | 'stopped'
  total_events: number
  completed_events: number
  workers: string[]
}

/**
 * A fake controller HTTP API: `/api/v1/status` and `/api/v1/load` answer what the test sets
 * (the load as Dranspose-style per-worker intervals, `rate` per worker); `failing` makes every
 * request answer 500.
 */
export class FakeController {
  status: FakeStatus = {
    scan_id: null,
    status: 'idle',
    total_events: 0,
    completed_events: 0,
    workers: [],
  }
  /** Events per second completed by each worker. */
  rates: Record<string, number> = {}
  failing = false
  loadQueries: string[] = []
  readonly #server: Server

  constructor() {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (this.failing) return send(500, { error: 'injected' })
      if (url.pathname === '/api/v1/status') return send(200, { ...this.status, slots: {} })
      if (url.pathname === '/api/v1/load') {
        this.loadQueries.push(url.search)
        const intervals = url.searchParams.getAll('intervals')
        const body: Record<string, unknown> = {}
        for (const [worker, rate] of Object.entries(this.rates)) {
          body[worker] = {
            last_event: 0,
            intervals: Object.fromEntries(
              intervals.map((s) => [s, { events: rate * Number(s), rate }]),
            ),
          }
        }
        return send(200, body)
      }
      return send(404, { error: 'not found' })
    })
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** A running scan with `backlog` events left, `workers` each completing `rate` events/s. */
  running(backlog: number, workers: number, rate: number, scanId = 'scan-1'): void {
    this.status = {
      scan_id: scanId,
      status: 'running',
      total_events: 100_000,
      completed_events: 100_000 - backlog,
      workers: Array.from({ length: workers }, (_, i) => `worker-${i}`),
    }
    this.rates = Object.fromEntries(this.status.workers.map((w) => [w, rate]))
  }

  /** The scan finished: nothing left, nobody working. */
  finished(): void {
    this.status = { ...this.status, status: 'finished', completed_events: this.status.total_events }
    this.rates = {}
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }
}
