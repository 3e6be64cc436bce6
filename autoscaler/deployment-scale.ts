import { readFileSync } from 'node:fs'
import {
  AppsV1Api,
  createConfiguration,
  type HttpLibrary,
  type KubeConfig,
  ServerConfiguration,
  type V1Scale,
} from '@kubernetes/client-node'
import { ConfigError, UpstreamClosedError } from '../src/internal.js'

/** Where the namespace of an in-cluster service account is written. */
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

/** The replica count of a Deployment as read, with the version a write must match. */
export interface ScaleReading {
  readonly replicas: number
  readonly resourceVersion: string | undefined
}

/** Options of {@link DeploymentScale}. */
export interface DeploymentScaleOptions {
  readonly kubeConfig: KubeConfig
  readonly namespace: string
  readonly deployment: string
  /** Each API request is abandoned after this long, ms. */
  readonly requestTimeoutMs: number
}

/** The HTTP status of a failed Kubernetes API call, when it has one. */
function statusOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') {
    return err.code
  }
  return undefined
}

/**
 * The scale subresource of one Deployment, through the Kubernetes API
 * (`GET`/`PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale`); the only calls the
 * autoscaler makes, so its Role needs only `get` and `update` on `deployments/scale`.
 */
export class DeploymentScale {
  readonly #api: AppsV1Api
  readonly #o: DeploymentScaleOptions

  constructor(options: DeploymentScaleOptions) {
    this.#o = options
    const cluster = options.kubeConfig.getCurrentCluster()
    if (cluster === null) {
      throw new ConfigError('no Kubernetes cluster configured: run in a pod or set KUBECONFIG')
    }
    // As `kubeConfig.makeApiClient`, but every request carries a timeout signal.
    const fetchLibrary = createConfiguration().httpApi
    const httpApi: HttpLibrary = {
      send: (request) => {
        request.setSignal(AbortSignal.timeout(options.requestTimeoutMs))
        return fetchLibrary.send(request)
      },
    }
    this.#api = new AppsV1Api(
      createConfiguration({
        baseServer: new ServerConfiguration(cluster.server, {}),
        authMethods: { default: options.kubeConfig },
        httpApi,
      }),
    )
  }

  /** `namespace/name`, for messages. */
  get target(): string {
    return `${this.#o.namespace}/${this.#o.deployment}`
  }

  /**
   * Read the current replica count (`spec.replicas`).
   * @throws UpstreamClosedError `UPSTREAM_CLOSED` on an API error or timeout.
   */
  async read(): Promise<ScaleReading> {
    const scale = await this.#call('read', () =>
      this.#api.readNamespacedDeploymentScale({
        name: this.#o.deployment,
        namespace: this.#o.namespace,
      }),
    )
    return { replicas: scale.spec?.replicas ?? 0, resourceVersion: scale.metadata?.resourceVersion }
  }

  /**
   * Set the replica count, on the condition that the Deployment is still at `read`'s version
   * (a concurrent change answers 409 Conflict and nothing is written).
   * @throws UpstreamClosedError `UPSTREAM_CLOSED` on an API error (conflict included) or timeout.
   */
  async write(replicas: number, read: ScaleReading): Promise<void> {
    const body: V1Scale = {
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: {
        name: this.#o.deployment,
        namespace: this.#o.namespace,
        ...(read.resourceVersion === undefined ? {} : { resourceVersion: read.resourceVersion }),
      },
      spec: { replicas },
    }
    await this.#call('update', () =>
      this.#api.replaceNamespacedDeploymentScale({
        name: this.#o.deployment,
        namespace: this.#o.namespace,
        body,
      }),
    )
  }

  async #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call()
    } catch (cause) {
      const status = statusOf(cause)
      const why =
        status === undefined
          ? cause instanceof Error
            ? cause.message
            : String(cause)
          : `HTTP ${status}`
      throw new UpstreamClosedError(
        `Kubernetes API: ${what} scale of ${this.target} failed (${why})`,
        {
          cause,
        },
      )
    }
  }
}

/**
 * The namespace to work in: the configured one, else the pod's own (from its service account).
 * @throws ConfigError `CONFIG_INVALID` when neither is known.
 */
export function resolveNamespace(configured: string | undefined, kubeConfig: KubeConfig): string {
  if (configured !== undefined) return configured
  try {
    return readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim()
  } catch {
    // Not in a pod: fall back to the kubeconfig's current context.
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext())
  if (context?.namespace !== undefined) return context.namespace
  throw new ConfigError(
    'no namespace: set AUTOSCALER_NAMESPACE (or run in a pod, or set one in the kubeconfig context)',
  )
}
