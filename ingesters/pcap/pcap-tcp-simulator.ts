import { createServer, type Socket } from 'node:net'
import {
  ConfigError,
  encodePcapEnd,
  encodePcapHeader,
  encodePcapRows,
  ServiceBase,
  StateError,
  sleep,
} from '../../src/internal.js'
import type { DeviceSimulator } from '../base/zmq-simulator.js'
import {
  DEFAULT_PCAP_FIELDS,
  generatedAcquisition,
  loadPcapCapture,
  type PcapAcquisition,
  type PcapProcess,
  type PcapVerbatim,
} from './pcap-sim-acquisition.js'
import { hostPort, readOptionsLine, send } from './pcap-sim-socket.js'

/** Options of {@link createPcapTcpSimulator}. */
export interface PcapTcpSimulatorOptions {
  /** `tcp://host:port` of the data port; port `*` or `0` for an ephemeral one. */
  readonly bind: string
  /** Samples per generated acquisition. */
  readonly frames: number
  /** Samples per second; 0 sends as fast as the client takes them. */
  readonly rateHz: number
  /** Captured fields of a generated acquisition; default {@link DEFAULT_PCAP_FIELDS}. */
  readonly fields?: readonly string[]
  /** Replay this instead: a data-port byte stream, or a raw capture of the zmq variant. */
  readonly capture?: string
  /** Acquisitions to play, one per client connection, before `done`. Default 1. */
  readonly acquisitions?: number
  /** Drop the connection of the first acquisition after this many samples (no END). */
  readonly dropAfterRows?: number
  /** Samples (0-based) sent with their last value missing (ASCII only), to test bad input. */
  readonly badRows?: readonly number[]
  /** Wait after `OK` before the acquisition starts (the arm), ms. Default 0. */
  readonly startDelayMs?: number
}

/** Options a real PandA accepts that this simulator does not play. */
const NOT_SIMULATED = new Set(['XML', 'BASE64', 'NO_HEADER', 'NO_STATUS', 'BARE'])
const PROCESS = { SCALED: 'Scaled', UNSCALED: 'Unscaled', RAW: 'Raw' } as const
const FORMAT = { ASCII: 'ascii', FRAMED: 'framed', UNFRAMED: 'unframed' } as const
/** Samples per write when sending as fast as possible. */
const BLOCK_ROWS = 1000

interface ClientOptions {
  readonly process: PcapProcess
  readonly format: 'ascii' | 'framed' | 'unframed'
  readonly oneShot: boolean
}

/** Parse a client's capture options line as PandA does; a string is the `ERR` reason. */
function clientOptions(line: string): ClientOptions | string {
  let process: PcapProcess = 'Scaled'
  let format: ClientOptions['format'] = 'ascii'
  let oneShot = false
  for (const token of line
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')) {
    if (token in PROCESS) process = PROCESS[token as keyof typeof PROCESS]
    else if (token in FORMAT) format = FORMAT[token as keyof typeof FORMAT]
    else if (token === 'ONE_SHOT') oneShot = true
    else if (token === 'DEFAULT') continue
    else if (NOT_SIMULATED.has(token)) return `${token} is not simulated`
    else return `Unknown option ${token}`
  }
  return { process, format, oneShot }
}

class PcapTcpSimulator extends ServiceBase implements DeviceSimulator {
  readonly #options: PcapTcpSimulatorOptions
  readonly #sockets = new Set<Socket>()
  #endpoint: string | undefined
  #sent = 0
  #started = 0
  #played = 0
  #capture: Promise<PcapAcquisition | PcapVerbatim> | undefined
  #resolveDone: () => void = () => {}
  readonly done: Promise<void>

  constructor(options: PcapTcpSimulatorOptions) {
    super(`PandABox simulator ${options.bind}`)
    this.#options = options
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve
    })
    void this.closed.then(() => this.#resolveDone())
  }

  get endpoint(): string {
    if (this.#endpoint === undefined) throw new StateError(`${this.name} is not bound yet`)
    return this.#endpoint
  }

  /** Header, sample and END messages written so far. */
  get sentMessages(): number {
    return this.#sent
  }

  protected override async onStart(): Promise<void> {
    const { host, port } = hostPort(this.#options.bind)
    const server = createServer((socket) => this.#accept(socket))

    this.addCloseStep('server', async ({ force }) => {
      server.close()
      for (const socket of this.#sockets) {
        if (force) socket.destroy()
        else socket.end()
      }
      if (!force && this.#sockets.size > 0) await sleep(100)
      for (const socket of this.#sockets) socket.destroy()
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(
          new ConfigError(`cannot bind ${this.#options.bind}: ${err.message}`, { cause: err }),
        ),
      )
      server.listen(port, host, () => resolve())
    })
    const address = server.address()
    const bound = typeof address === 'object' && address !== null ? address.port : port
    this.#endpoint = `tcp://${host.includes(':') ? `[${host}]` : host}:${bound}`
  }

  #accept(socket: Socket): void {
    if (this.state !== 'running') {
      socket.destroy()
      return
    }
    this.#sockets.add(socket)
    socket.setNoDelay(true)
    // A client that goes away mid-write only ends its own session; 'close' follows.
    socket.on('error', () => {})
    socket.once('close', () => this.#sockets.delete(socket))
    this.spawn('client', (signal) => this.#session(socket, signal))
  }

  async #session(socket: Socket, signal: AbortSignal): Promise<void> {
    // Closing ends every connection (what was written is still delivered).
    const onAbort = (): void => {
      socket.end()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('close', () => signal.removeEventListener('abort', onAbort))
    const line = await readOptionsLine(socket, signal)
    if (line === undefined || signal.aborted) return
    const options = clientOptions(line)
    if (typeof options === 'string') {
      socket.end(`ERR ${options}\n`)
      return
    }
    if (!(await send(socket, Buffer.from('OK\n'), signal))) return
    const total = this.#options.acquisitions ?? 1
    // A PandA not armed again: the connection waits (the client closes it).
    if (this.#started >= total) return
    const index = this.#started++
    try {
      if ((this.#options.startDelayMs ?? 0) > 0)
        await sleep(this.#options.startDelayMs ?? 0, signal)
      await this.#play(socket, options, index, signal)
      if (options.oneShot) socket.end()
    } finally {
      if (++this.#played >= total) this.#resolveDone()
    }
  }

  async #play(
    socket: Socket,
    client: ClientOptions,
    index: number,
    signal: AbortSignal,
  ): Promise<void> {
    const o = this.#options
    if (o.capture !== undefined) this.#capture ??= loadPcapCapture(o.capture)
    const source =
      this.#capture === undefined
        ? generatedAcquisition(o.fields ?? DEFAULT_PCAP_FIELDS, o.frames, client.process)
        : await this.#capture
    if ('bytes' in source) {
      if (await send(socket, source.bytes, signal)) this.#sent++
      return
    }
    const header = encodePcapHeader({
      armTime: source.armTime ?? new Date().toISOString(),
      missed: 0,
      process: client.process,
      format: client.format,
      fields: source.fields,
    })
    if (!(await send(socket, header, signal))) return
    this.#sent++
    const dropAfter = index === 0 ? o.dropAfterRows : undefined
    const last = dropAfter === undefined ? source.rows : Math.min(dropAfter, source.rows)
    const bad = new Set(o.badRows ?? [])
    const startedAt = performance.now()
    for (let next = 0; next < last; ) {
      let end = Math.min(last, next + BLOCK_ROWS)
      if (o.rateHz > 0) {
        const due = Math.floor(((performance.now() - startedAt) * o.rateHz) / 1000) + 1
        if (due <= next) {
          await sleep(((next - due + 1) * 1000) / o.rateHz, signal)
          continue
        }
        end = Math.min(end, due)
      }
      const rows = Array.from({ length: end - next }, (_, k) => {
        const row = source.row(next + k)
        return client.format === 'ascii' && bad.has(next + k) ? row.slice(0, -1) : row
      })
      const bytes = encodeRows(source, rows, client.format)
      if (!(await send(socket, bytes, signal))) return
      this.#sent += rows.length
      next = end
    }
    if (dropAfter !== undefined && dropAfter < source.rows) {
      socket.destroy()
      return
    }
    if (await send(socket, encodePcapEnd(last, 'Ok'), signal)) this.#sent++
  }
}

/** Rows as bytes; ASCII rows may be short on purpose (`badRows`), binary ones never are. */
function encodeRows(
  source: PcapAcquisition,
  rows: (number | bigint)[][],
  format: ClientOptions['format'],
): Uint8Array {
  if (format !== 'ascii') return encodePcapRows(source.fields, rows, format)
  const text = rows.map((row) => ` ${row.map((v) => String(v)).join(' ')}\n`).join('')
  return Buffer.from(text, 'latin1')
}

/**
 * Create (not start) a PandABox data-port simulator: `start()` listens on `bind`; each client
 * sends its capture options line (`ASCII`/`FRAMED`/`UNFRAMED`, `SCALED`/`UNSCALED`/`RAW`,
 * `ONE_SHOT`), gets `OK` (or `ERR …`), then the next of `acquisitions` acquisitions: a header
 * (arm time, fields), `frames` samples at `rateHz` in the asked format, and `END n Ok` — or
 * a replayed capture. `done` resolves once every acquisition was played.
 */
export function createPcapTcpSimulator(options: PcapTcpSimulatorOptions): DeviceSimulator {
  return new PcapTcpSimulator(options)
}
