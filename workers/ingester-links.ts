import type {
  CurveKeys,
  EventBatch,
  FrameSlabs,
  ProcessInfo,
  ProtocolError,
  WorkerDataReceive,
  WorkerName,
} from '../src/internal.js'
import { createWorkerDealer, type WorkerDealer } from '../src/internal.js'

/** Options of {@link IngesterLinks}. */
export interface IngesterLinksOptions {
  readonly worker: WorkerName
  /** Every batch from any ingester (must not throw: a throw closes that link). */
  readonly onBatch: (batch: EventBatch) => void
  /** A message that did not follow the protocol (dropped). */
  readonly onInvalid: (ingester: string, err: ProtocolError) => void
  /** A link closed by itself with an error (the registry will replace it if the ingester lives). */
  readonly onLinkFailed: (ingester: string, err: Error) => void
  /** The deployment's CURVE key pair, when the data plane is authenticated. */
  readonly curve?: CurveKeys | undefined
  /** How the links are read (`zmtp` by default). */
  readonly receive?: WorkerDataReceive
  /** Where the own ZMTP receive puts frames (one per worker). */
  readonly frameMemory?: FrameSlabs
}

interface Link {
  readonly instanceId: string
  readonly endpoint: string
  readonly dealer: WorkerDealer
}

/**
 * A worker's DEALERs, one per live ingester (its `endpoints.data`), kept in step with the
 * registry: an ingester that appears gets a link (which says hello on every connection), one
 * that restarts (new instance id or endpoint) gets a fresh link, one that leaves loses its link.
 * Not a service itself: the worker owns it and calls {@link closeAll} when closing.
 */
export class IngesterLinks {
  readonly #options: IngesterLinksOptions
  readonly #links = new Map<string, Link>()
  #closed = false

  constructor(options: IngesterLinksOptions) {
    this.#options = options
  }

  /** Names of the ingesters linked now. */
  get ingesters(): string[] {
    return [...this.#links.keys()]
  }

  /** The ingesters linked now, with the instance each link was made to, sorted by name. */
  linked(): { name: string; instanceId: string }[] {
    return [...this.#links]
      .map(([name, link]) => ({ name, instanceId: link.instanceId }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Hellos sent over the link to `ingester` (0 when there is no link). */
  helloCount(ingester: string): number {
    return this.#links.get(ingester)?.dealer.helloCount ?? 0
  }

  /**
   * An ingester joined or changed: link to its `data` endpoint unless linked to that very
   * instance already. An ingester without a `data` endpoint is ignored.
   * @throws ConfigError `CONFIG_INVALID` for a malformed endpoint (the caller logs it).
   */
  async upsert(info: ProcessInfo): Promise<void> {
    const endpoint = info.endpoints?.data
    if (this.#closed) return
    const old = this.#links.get(info.name)
    if (old && old.instanceId === info.instanceId && old.endpoint === endpoint) return
    if (old) await this.remove(info.name)
    if (endpoint === undefined) return
    const name = info.name
    const dealer = createWorkerDealer({
      endpoint,
      curve: this.#options.curve,
      worker: this.#options.worker,
      receive: this.#options.receive,
      frameMemory: this.#options.frameMemory,
      onBatch: (batch) => this.#options.onBatch(batch),
      onInvalid: (err) => this.#options.onInvalid(name, err),
    })
    const link = { instanceId: info.instanceId, endpoint, dealer }
    this.#links.set(name, link)
    try {
      await dealer.start()
    } catch (err) {
      if (this.#links.get(name) === link) this.#links.delete(name)
      throw err
    }
    void dealer.closed.then((err) => {
      if (err !== undefined && this.#links.get(name) === link) {
        this.#links.delete(name)
        this.#options.onLinkFailed(name, err)
      }
    })
  }

  /**
   * An ingester left: drop its link at once (no goodbye: the ingester is gone, and a goodbye
   * could reach a restarted ingester at the same address).
   */
  async remove(ingester: string): Promise<void> {
    const link = this.#links.get(ingester)
    if (link === undefined) return
    this.#links.delete(ingester)
    await link.dealer.close({ force: true })
  }

  /** Close every link: gracefully (a goodbye to each ingester) unless `force`. Idempotent. */
  async closeAll(force: boolean): Promise<void> {
    this.#closed = true
    const links = [...this.#links.values()]
    this.#links.clear()
    await Promise.all(links.map((l) => l.dealer.close({ force })))
  }
}
