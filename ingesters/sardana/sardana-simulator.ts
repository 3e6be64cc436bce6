import {
  ConfigError,
  ProtocolError,
  retry,
  ServiceBase,
  sleep,
  UpstreamClosedError,
} from '../../src/internal.js'
import type { DeviceSimulator } from '../base/zmq-simulator.js'

/** Options of {@link createSardanaSimulator}. */
export interface SardanaSimulatorOptions {
  /** The Sardana ingester's address, e.g. `http://127.0.0.1:5002`. */
  readonly target: string
  /** Records of the scan (between `data_desc` and `record_end`). */
  readonly frames: number
  /** POSTs per second; 0 posts each as soon as the previous one was answered. */
  readonly rateHz: number
  /** The scanned motor; default `mot01`. */
  readonly motor?: string
  /** Counters recorded at each point; default 2 (`ct01`, `ct02`). */
  readonly counters?: number
  /** `serialno` of the scan; default 1. */
  readonly serialno?: number
  /** Bearer token the ingester wants. */
  readonly token?: string | undefined
  /** How long to keep retrying while the ingester is not up yet, ms. Default 30 000. */
  readonly connectTimeoutMs?: number
}

/** One POST of the scan: path and JSON body. */
export interface SardanaPost {
  readonly path: '/v1/data_desc' | '/v1/record_data' | '/v1/record_end'
  readonly body: Record<string, unknown>
}

/**
 * The POSTs of a simulated `ascan <motor> 0 1 <frames-1> 0.1`: a data description (columns
 * `point_nb`, the motor, the counters, `timestamp`), one record per point (the motor position,
 * counters with a peak in the middle of the scan) and a record end. Bodies carry no `type`, as
 * Sardana's recorder sends them.
 */
export function sardanaScan(options: SardanaSimulatorOptions): SardanaPost[] {
  const motor = options.motor ?? 'mot01'
  const counters = Array.from({ length: options.counters ?? 2 }, (_, i) => `ct0${i + 1}`)
  const n = options.frames
  const columns = [
    { name: 'point_nb', label: '#Pt No', dtype: 'int64', shape: [] },
    { name: motor, label: motor, dtype: 'float64', shape: [], is_reference: true },
    ...counters.map((name) => ({ name, label: name, dtype: 'float64', shape: [] })),
    { name: 'timestamp', label: 'dt', dtype: 'float64', shape: [] },
  ]
  const posts: SardanaPost[] = [
    {
      path: '/v1/data_desc',
      body: {
        serialno: options.serialno ?? 1,
        scandir: '/data/visitors/simulated',
        title: `ascan ${motor} 0.0 1.0 ${Math.max(0, n - 1)} 0.1`,
        column_desc: columns,
        ref_moveables: [motor],
        counters,
        total_scan_intervals: Math.max(0, n - 1),
        starttime: new Date().toUTCString(),
        scanfile: ['stream.daq'],
      },
    },
  ]
  for (let i = 0; i < n; i++) {
    const position = n <= 1 ? 0 : i / (n - 1)
    const record: Record<string, unknown> = { point_nb: i, [motor]: position }
    for (const [c, name] of counters.entries()) {
      record[name] = (c + 1) * 1000 * Math.exp(-((position - 0.5) ** 2) / 0.02) + 10
    }
    record.timestamp = 0.1 * (i + 1)
    posts.push({ path: '/v1/record_data', body: record })
  }
  posts.push({ path: '/v1/record_end', body: {} })
  return posts
}

class SardanaSimulatorService extends ServiceBase implements DeviceSimulator {
  readonly #options: SardanaSimulatorOptions
  readonly #posts: SardanaPost[]
  #sent = 0
  #resolveDone: () => void = () => {}
  readonly done: Promise<void>

  constructor(options: SardanaSimulatorOptions) {
    super(`Sardana simulator → ${options.target}`)
    this.#options = options
    this.#posts = sardanaScan(options)
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
    void this.closed.then(() => this.#resolveDone())
  }

  /** The ingester it posts to. */
  get endpoint(): string {
    return this.#options.target
  }

  get sentMessages(): number {
    return this.#sent
  }

  protected override async onStart(): Promise<void> {
    let base: URL
    try {
      base = new URL(this.#options.target)
    } catch (cause) {
      throw new ConfigError(`Sardana target '${this.#options.target}' is not a URL`, { cause })
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new ConfigError(`Sardana target '${this.#options.target}': expected http://host:port`)
    }
    this.spawn('post', async (signal) => {
      const startedAt = performance.now()
      for (const post of this.#posts) {
        const rateHz = this.#options.rateHz
        if (rateHz > 0) {
          const wait = startedAt + (this.#sent * 1000) / rateHz - performance.now()
          if (wait > 0) await sleep(wait, signal)
        }
        await this.#post(new URL(post.path, base), post.body, signal)
        this.#sent++
      }
      this.#resolveDone()
    })
  }

  /** POST one body; retries while the ingester refuses connections (not up yet). */
  async #post(url: URL, body: unknown, signal: AbortSignal): Promise<void> {
    const token = this.#options.token
    let response: Response
    try {
      response = await retry(
        () =>
          fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
            },
            body: JSON.stringify(body),
            signal,
          }),
        { signal, withinMs: this.#options.connectTimeoutMs ?? 30_000 },
      )
    } catch (err) {
      if (signal.aborted) throw signal.reason
      throw new UpstreamClosedError(`cannot reach the Sardana ingester at ${url.origin}`, {
        cause: err,
      })
    }
    if (response.ok) {
      await response.arrayBuffer()
      return
    }
    const text = await response.text()
    throw new ProtocolError(
      `the Sardana ingester answered ${response.status} to ${url.pathname}: ${text.slice(0, 300)}`,
    )
  }
}

/**
 * Create (not start) a Sardana simulator: an HTTP client that acts as Sardana's recorder.
 * `start()` checks the target and begins posting `data_desc`, `frames` records and
 * `record_end` to it at `rateHz`, waiting (up to `connectTimeoutMs`) for the ingester to
 * listen. `done` resolves when all were accepted; an error answer closes it with
 * `PROTOCOL_INVALID` naming the status and message.
 */
export function createSardanaSimulator(options: SardanaSimulatorOptions): DeviceSimulator {
  if (options.frames < 0 || !Number.isInteger(options.frames)) {
    throw new ConfigError(`Sardana simulator: frames must be a whole number ≥ 0`)
  }
  return new SardanaSimulatorService(options)
}
