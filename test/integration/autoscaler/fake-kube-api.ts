import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A fault the fake answers the next matching request with. */
export type Fault = 'error500' | 'conflict409' | 'hang'

/** One request the fake received. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly body: unknown
}

/**
 * A fake Kubernetes API server over HTTP with one Deployment's scale subresource:
 * `GET` and `PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale`, with optimistic
 * concurrency on `metadata.resourceVersion` (a stale PUT answers 409, as the real API does).
 * Anything else answers 404 (the autoscaler must need nothing else). Faults can be queued.
 */
export class FakeKubeApi {
  replicas: number
  resourceVersion = 1
  readonly requests: SeenRequest[] = []
  /** Faults for the next requests, by method, taken in order. */
  readonly faults: Record<string, Fault[]> = { GET: [], PUT: [] }
  readonly #server: Server
  readonly #hanging = new Set<ServerResponse>()
  readonly #path: string

  constructor(
    readonly namespace: string,
    readonly deployment: string,
    replicas: number,
  ) {
    this.replicas = replicas
    this.#path = `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}/scale`
    this.#server = createServer((req, res) => void this.#handle(req, res))
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** PUT bodies' replica counts that were applied, in order. */
  applied(): number[] {
    return this.#applied
  }
  readonly #applied: number[] = []

  /** Replica count changed from outside (someone ran `kubectl scale`). */
  setExternally(replicas: number): void {
    this.replicas = replicas
    this.resourceVersion += 1
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy()
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }

  #scale(): object {
    return {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: this.deployment,
        namespace: this.namespace,
        resourceVersion: String(this.resourceVersion),
      },
      spec: { replicas: this.replicas },
      status: { replicas: this.replicas, selector: `app=${this.deployment}` },
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const body: unknown = text === '' ? undefined : JSON.parse(text)
    const method = req.method ?? 'GET'
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    this.requests.push({ method, path, body })
    const send = (status: number, payload: object) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(payload))
    }
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code })
    if (path !== this.#path || (method !== 'GET' && method !== 'PUT')) {
      status(404, 'NotFound', `the fake serves only GET/PUT ${this.#path}`)
      return
    }
    const fault = this.faults[method]?.shift()
    if (fault === 'hang') {
      this.#hanging.add(res)
      return
    }
    if (fault === 'error500') {
      status(500, 'InternalError', 'injected failure')
      return
    }
    if (fault === 'conflict409') {
      status(409, 'Conflict', 'injected conflict')
      return
    }
    if (method === 'GET') {
      send(200, this.#scale())
      return
    }
    const put = body as { metadata?: { resourceVersion?: string }; spec?: { replicas?: number } }
    if (put.metadata?.resourceVersion !== String(this.resourceVersion)) {
      status(409, 'Conflict', 'the object has been modified; please apply your changes again')
      return
    }
    if (typeof put.spec?.replicas !== 'number') {
      status(422, 'Invalid', 'spec.replicas missing')
      return
    }
    this.replicas = put.spec.replicas
    this.resourceVersion += 1
    this.#applied.push(this.replicas)
    send(200, this.#scale())
  }
}
