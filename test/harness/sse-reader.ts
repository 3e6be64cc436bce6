/** One server-sent event as received. */
export interface ServerEvent {
  readonly event: string
  readonly data: string
}

/**
 * Reads a `text/event-stream` response over real HTTP: every event received is appended to
 * `events` as it arrives; `close()` aborts the request. `ended` resolves when the server ends
 * the stream (or the request is aborted).
 */
export class SseReader {
  readonly events: ServerEvent[] = []
  readonly ended: Promise<void>
  readonly response: Promise<Response>
  readonly #abort = new AbortController()

  constructor(url: string) {
    this.response = fetch(url, { signal: this.#abort.signal })
    this.ended = this.#read().catch(() => {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    })
  }

  /** The parsed `data` of each `update` event. */
  updates<T>(): T[] {
    return this.events.filter((e) => e.event === 'update').map((e) => JSON.parse(e.data) as T)
  }

  close(): void {
    this.#abort.abort()
  }

  async #read(): Promise<void> {
    const res = await this.response
    if (res.body === null) return
    const decoder = new TextDecoder()
    let buffered = ''
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true })
      for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
        const block = buffered.slice(0, end)
        buffered = buffered.slice(end + 2)
        let event = 'message'
        const data: string[] = []
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7)
          else if (line.startsWith('data: ')) data.push(line.slice(6))
        }
        if (data.length > 0) this.events.push({ event, data: data.join('\n') })
      }
    }
  }
}
