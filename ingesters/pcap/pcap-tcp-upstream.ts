import type { Socket } from 'node:net'
import {
  ConfigError,
  PCAP_RAW_TYP,
  type PcapStreamMessage,
  PcapStreamSplitter,
  retry,
  ServiceBase,
  type StreamName,
  toError,
  UpstreamClosedError,
} from '../../src/internal.js'
import type {
  Upstream,
  UpstreamContext,
  UpstreamFactory,
  UpstreamMessage,
} from '../base/upstream.js'
import { connectTcp, countValues } from './pcap-tcp-connect.js'
import type { PcapTcpUpstreamOptions } from './pcap-tcp-options.js'

/** Samples queued from the PandA before the connection stops reading (TCP back-pressure). */
const HIGH_WATER_ROWS = 50_000
const LOW_WATER_ROWS = 10_000
const latin1 = new TextDecoder('latin1')

type Item = PcapStreamMessage | { readonly kind: 'lost'; readonly error: UpstreamClosedError }
/** What the connection has seen of the acquisition (ahead of what was handed out). */
type Received = 'idle' | 'data' | 'ended' | 'failed'

/**
 * The PandABox TCP upstream of one scan: a connection to the data port (8889). It sends the
 * capture options line, waits for the acquisition's header (reconnecting for up to
 * `lostAfterMs` when the connection drops before it), then hands out one event per call: the
 * header block, each sample (`[line]` or `[binary sample]`, or `[header, sample]` with
 * `header: 'each'`) and the `END n reason` line; then the connection is closed and asking for
 * more rejects with `UPSTREAM_CLOSED`. A connection dropped during the acquisition is lost:
 * the samples received are handed out, then `UPSTREAM_CLOSED`. An ASCII sample with the wrong
 * number of values is skipped and reported through `onInvalid`.
 */
class PcapTcpUpstream extends ServiceBase implements Upstream {
  readonly #options: PcapTcpUpstreamOptions
  readonly #context: UpstreamContext
  readonly #items: Item[] = []
  #rowIndex = 0
  #queuedRows = 0
  #wake: (() => void) | undefined
  #socket: Socket | undefined
  #received: Received = 'idle'
  #rowsReceived = 0
  /** What was handed out so far. */
  #phase: 'header' | 'data' | 'ended' = 'header'
  #headerRaw: Uint8Array | undefined
  #fieldCount = 0
  #ascii = true

  constructor(options: PcapTcpUpstreamOptions, context: UpstreamContext) {
    super(`PandABox upstream ${options.url}`)
    this.#options = options
    this.#context = context
  }

  protected override async onStart(): Promise<void> {
    if (this.#context.streams.length !== 1) {
      throw new ConfigError(
        `a PandABox data port feeds one stream; this scan asks for ${this.#context.streams.join(', ')}`,
      )
    }
    this.addCloseStep('connection', () => {
      this.#socket?.destroy()
      this.#wake?.()
    })
    this.spawn('connection', (signal) => this.#connectLoop(signal))
  }

  ready(): boolean {
    return this.#phase !== 'ended' && this.#items.length > 0
  }

  async next(stream: StreamName, signal: AbortSignal): Promise<UpstreamMessage> {
    for (;;) {
      if (this.#phase === 'ended') {
        throw new UpstreamClosedError(
          `the PandABox acquisition ended (END was read); no more samples will come from ${this.#options.url}`,
        )
      }
      const item = this.#items[0]
      if (item === undefined) {
        if (this.state !== 'running') throw new UpstreamClosedError(`${this.name} is ${this.state}`)
        await this.#waitForItem(signal)
        continue
      }
      if (item.kind === 'lost') throw item.error
      if (item.kind === 'start') {
        this.#items.shift()
        this.#phase = 'data'
        this.#headerRaw = item.raw
        this.#fieldCount = item.header.fields.length
        this.#ascii = item.header.format === 'ascii'
        return { kind: 'start', parts: [item.raw] }
      }
      if (item.kind === 'end') {
        this.#items.shift()
        this.#phase = 'ended'
        return { kind: 'end', parts: [item.raw] }
      }
      const row = item.rows[this.#rowIndex++]!
      if (this.#rowIndex >= item.rows.length) {
        this.#items.shift()
        this.#rowIndex = 0
      }
      this.#queuedRows--
      if (this.#queuedRows < LOW_WATER_ROWS && this.#socket?.isPaused() === true) {
        this.#socket.resume()
      }
      if (this.#ascii) {
        const values = countValues(row)
        if (values !== this.#fieldCount) {
          const line = latin1.decode(row).trim()
          this.#context.onInvalid(
            stream,
            `PandABox sample line has ${values} values, the header has ${this.#fieldCount} fields: '${line}'`,
          )
          continue
        }
      }
      // TCP loses nothing: samples take their events in arrival order.
      const parts = this.#options.header === 'each' ? [this.#headerRaw!, row] : [row]
      return { kind: 'data', parts }
    }
  }

  #waitForItem(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#wake = undefined
        reject(signal.reason)
      }
      if (signal.aborted) {
        onAbort()
        return
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#wake = () => {
        this.#wake = undefined
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
    })
  }

  #push(item: Item): void {
    this.#items.push(item)
    this.#wake?.()
  }

  #lose(message: string, cause?: unknown): void {
    if (this.#received === 'failed') return
    this.#received = 'failed'
    this.#push({ kind: 'lost', error: new UpstreamClosedError(message, { cause }) })
  }

  /** Connect, and reconnect while the acquisition has not started, within `lostAfterMs`. */
  async #connectLoop(signal: AbortSignal): Promise<void> {
    const { host, port, url, lostAfterMs } = this.#options
    while (!signal.aborted) {
      let socket: Socket
      try {
        socket = await retry(() => connectTcp(host, port, signal), {
          signal,
          withinMs: lostAfterMs,
        })
      } catch (err) {
        if (signal.aborted) return
        this.#lose(
          `cannot connect to the PandABox at ${url} within ${lostAfterMs} ms: ${toError(err).message}`,
          err,
        )
        return
      }
      const dropped = await this.#serve(socket, signal)
      if (!dropped || signal.aborted) return
      this.#context.logger.warn(
        { url, scanId: this.#context.scanId },
        'the PandABox connection dropped before the acquisition started; reconnecting',
      )
    }
  }

  /**
   * Read one connection until it closes. Resolves `true` when it dropped before the
   * acquisition's header (worth reconnecting), else `false`.
   */
  #serve(socket: Socket, signal: AbortSignal): Promise<boolean> {
    const { url, captureOptions } = this.#options
    this.#socket = socket
    const onAbort = (): void => {
      socket.destroy()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.setNoDelay(true)
    socket.setKeepAlive(true, 1000)
    socket.write(`${captureOptions}\n`)
    this.#context.logger.info(
      { url, options: captureOptions, scanId: this.#context.scanId },
      'connected to the PandABox data port',
    )
    const splitter = new PcapStreamSplitter()
    return new Promise((resolve) => {
      let error: Error | undefined
      socket.on('data', (chunk: Buffer) => {
        if (this.#received === 'ended' || this.#received === 'failed') return
        let messages: PcapStreamMessage[]
        try {
          messages = splitter.push(chunk)
        } catch (err) {
          this.#lose(
            `the PandABox at ${url} sent what cannot be read: ${toError(err).message}`,
            err,
          )
          socket.destroy()
          return
        }
        this.#take(messages, socket)
      })
      socket.on('error', (err) => {
        error = err
      })
      socket.once('close', () => {
        signal.removeEventListener('abort', onAbort)
        if (this.#socket === socket) this.#socket = undefined
        if (signal.aborted) {
          resolve(false)
          return
        }
        if (this.#received === 'idle') {
          resolve(true)
          return
        }
        if (this.#received === 'data') {
          const why = error === undefined ? '' : ` (${error.message})`
          this.#lose(
            `the PandABox at ${url} dropped the connection after ${this.#rowsReceived} samples, before END${why}`,
            error,
          )
        }
        resolve(false)
      })
    })
  }

  /** Queue what the splitter cut; only the first acquisition of the connection counts. */
  #take(messages: readonly PcapStreamMessage[], socket: Socket): void {
    for (const message of messages) {
      if (message.kind === 'start') {
        if (this.#received !== 'idle') continue
        this.#received = 'data'
        if (message.header.missed > 0) {
          this.#context.logger.warn(
            { url: this.#options.url, missed: message.header.missed, scanId: this.#context.scanId },
            'joined a PandABox acquisition late: samples were missed',
          )
        }
        this.#push(message)
      } else if (message.kind === 'rows') {
        if (this.#received !== 'data') continue
        this.#rowsReceived += message.rows.length
        this.#queuedRows += message.rows.length
        this.#push(message)
      } else {
        if (this.#received !== 'data') continue
        this.#received = 'ended'
        this.#push(message)
        // One acquisition per scan: what the PandA sends after END belongs to the next one.
        socket.destroy()
        return
      }
    }
    if (this.#queuedRows > HIGH_WATER_ROWS && !socket.isPaused()) socket.pause()
  }
}

/**
 * The PandABox TCP device type for `createIngester`: frames travel with `typ` `PCAP_RAW`, and
 * each scan opens a connection to the data port.
 */
export function createPcapTcpUpstreamFactory(options: PcapTcpUpstreamOptions): UpstreamFactory {
  return {
    typOf: () => PCAP_RAW_TYP,
    create: (context) => new PcapTcpUpstream(options, context),
  }
}
