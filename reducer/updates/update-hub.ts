import { PublishVersions } from './publish-versions.js'

/** One update as a client receives it (the `data` of an SSE `update` event, as JSON). */
export interface PublishUpdate {
  /** Increases by one per update the hub sends (to anyone). */
  readonly seq: number
  /** Every top-level path of `publish` now. */
  readonly paths: readonly string[]
  /** Top-level paths that changed since this client's previous update (all, in the first). */
  readonly changed: readonly string[]
  /** Version of each top-level path (see {@link PublishVersions}). */
  readonly versions: Readonly<Record<string, number>>
}

/**
 * Where the hub writes a client's stream (an HTTP response in production, an array in tests).
 * `write` returns false when the client is backed up (Node's `Writable.write` contract).
 */
export interface UpdateSink {
  write(text: string): boolean
  /** Call `listener` once when the sink can take more. */
  onDrain(listener: () => void): void
  /** End the stream (the hub is closing). */
  end(): void
}

/** Options of {@link UpdateHub}. */
export interface UpdateHubOptions {
  /** At most one update per this many ms (and changes are looked at only this often). */
  readonly throttleMs: number
  /** Reads the reducer's current `publish`. */
  readonly read: () => unknown
  /** A comment line goes to every client this often, so dead connections are noticed; ms. */
  readonly keepAliveMs?: number
}

interface Client {
  readonly sink: UpdateSink
  blocked: boolean
  /** Paths changed while blocked (bounded by the number of top-level paths). */
  readonly pending: Set<string>
}

/**
 * Tells viewers which top-level paths of `publish` changed, as server-sent events. The reducer
 * calls {@link markDirty} after each batch of user calls (a flag, nothing else); a timer, which
 * runs only while someone listens, looks at `publish` at most every `throttleMs` and sends one
 * `update` event to each client. A client that is backed up gets nothing more until it drains;
 * what changed meanwhile is merged into one update (drop-to-latest), so a slow client never
 * slows the reducer or grows memory beyond one set of path names.
 */
export class UpdateHub {
  readonly #options: UpdateHubOptions
  readonly #versions = new PublishVersions()
  readonly #clients = new Set<Client>()
  #dirty = true
  #seq = 0
  #timer: NodeJS.Timeout | undefined
  #sinceKeepAliveMs = 0
  #closed = false

  constructor(options: UpdateHubOptions) {
    this.#options = options
  }

  /** Clients connected now. */
  get clientCount(): number {
    return this.#clients.size
  }

  /** Updates sent so far (the last `seq`). */
  get seq(): number {
    return this.#seq
  }

  /** The reducer ran user code: `publish` may have changed. Cheap; call as often as you like. */
  markDirty(): void {
    this.#dirty = true
  }

  /**
   * Add a client: it gets an update listing every path at once, then one per change. Returns
   * the function that removes it (call it when the connection closes). A closed hub ends the
   * sink at once.
   */
  subscribe(sink: UpdateSink): () => void {
    if (this.#closed) {
      sink.end()
      return () => {}
    }
    this.#tick()
    const client: Client = { sink, blocked: false, pending: new Set() }
    this.#clients.add(client)
    this.#write(client, 'retry: 1000\n\n')
    this.#deliver(client, this.#versions.paths)
    this.#timer ??= setInterval(() => this.#onTimer(), this.#options.throttleMs).unref()
    return () => this.#remove(client)
  }

  /** End every client's stream and stop; later subscriptions are ended at once. Idempotent. */
  close(): void {
    this.#closed = true
    for (const client of [...this.#clients]) {
      this.#remove(client)
      client.sink.end()
    }
  }

  #remove(client: Client): void {
    this.#clients.delete(client)
    if (this.#clients.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  #onTimer(): void {
    this.#tick()
    const keepAliveMs = this.#options.keepAliveMs ?? 15_000
    this.#sinceKeepAliveMs += this.#options.throttleMs
    if (this.#sinceKeepAliveMs < keepAliveMs) return
    this.#sinceKeepAliveMs = 0
    for (const client of this.#clients) {
      if (!client.blocked) this.#write(client, ': keep-alive\n\n')
    }
  }

  /** Look at `publish` if the reducer ran; send what changed to every client. */
  #tick(): void {
    const dirty = this.#dirty
    this.#dirty = false
    const { changed, removed } = this.#versions.update(this.#options.read(), dirty)
    if (changed.length === 0 && removed.length === 0) return
    const all = removed.length === 0 ? changed : [...changed, ...removed]
    for (const client of this.#clients) this.#deliver(client, all)
  }

  /** Send now, or remember the paths until the client drains. */
  #deliver(client: Client, changed: readonly string[]): void {
    if (!client.blocked) this.#send(client, changed)
    else for (const path of changed) client.pending.add(path)
  }

  #send(client: Client, changed: readonly string[]): void {
    const update: PublishUpdate = {
      seq: ++this.#seq,
      paths: this.#versions.paths,
      changed,
      versions: this.#versions.versions(),
    }
    this.#write(client, `event: update\ndata: ${JSON.stringify(update)}\n\n`)
  }

  #write(client: Client, text: string): void {
    if (client.sink.write(text)) return
    client.blocked = true
    client.sink.onDrain(() => {
      client.blocked = false
      if (!this.#clients.has(client) || client.pending.size === 0) return
      const changed = [...client.pending]
      client.pending.clear()
      this.#send(client, changed)
    })
  }
}
