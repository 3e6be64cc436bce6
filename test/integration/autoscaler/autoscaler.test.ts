import { KubeConfig } from '@kubernetes/client-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type AutoscalerService,
  createAutoscaler,
  type ScalePolicy,
} from '../../../autoscaler/index.js'
import { FakeController } from './fake-controller.js'
import { FakeKubeApi } from './fake-kube-api.js'

const policy: ScalePolicy = {
  minReplicas: 1,
  maxReplicas: 8,
  targetDrainSeconds: 30,
  minGain: 0.1,
  idleMs: 60_000,
  coolDownMs: 20_000,
  maxStepUp: 4,
  maxStepDown: 2,
}

function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'autoscaler' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'autoscaler', namespace: 'beamline' }],
    currentContext: 'fake',
  })
  return kc
}

describe('autoscaler against a fake Kubernetes API and a fake controller', () => {
  let kube: FakeKubeApi
  let controller: FakeController
  let service: AutoscalerService | undefined
  /** The autoscaler's clock: frozen unless a test moves it, so cool-downs are exact. */
  let clock: number
  const warnings: string[] = []

  beforeEach(async () => {
    controller = new FakeController()
    await controller.start()
    clock = 1_000_000
    warnings.length = 0
  })

  afterEach(async () => {
    await service?.close()
    service = undefined
    await kube.close()
    await controller.close()
  })

  async function startAutoscaler(
    replicas: number,
    setUp: (api: FakeKubeApi) => void = () => {},
  ): Promise<AutoscalerService> {
    kube = new FakeKubeApi('beamline', 'beamloom-worker', replicas)
    setUp(kube)
    await kube.start()
    const s = createAutoscaler(
      {
        controllerUrl: controller.url,
        namespace: 'beamline',
        deployment: 'beamloom-worker',
        policy,
        pollMs: 10,
        rateWindowSeconds: 10,
        requestTimeoutMs: 300,
        port: 0,
      },
      {
        kubeConfig: kubeConfigFor(kube.url),
        logger: { info: () => {}, warn: (_o, msg) => warnings.push(msg) },
        now: () => clock,
      },
    )
    service = s
    await s.start()
    return s
  }

  /** Resolve once the autoscaler has read the scale `n` more times (n more polls). */
  async function polls(n: number): Promise<void> {
    const reads = () => kube.requests.filter((r) => r.method === 'GET').length
    const target = reads() + n
    await expect.poll(reads).toBeGreaterThanOrEqual(target)
  }

  it('scales up under load, in steps, once per cool-down, up to the maximum', async () => {
    // 60 000 events left at 100 events/s: 600 s against a 30 s target → +4 (the step limit).
    controller.running(60_000, 1, 100)
    await startAutoscaler(1)
    await expect.poll(() => kube.replicas).toBe(5)
    // Five workers now complete 500 events/s, but the cool-down holds.
    controller.running(60_000, 5, 100)
    await polls(10)
    expect(kube.replicas).toBe(5)
    clock += policy.coolDownMs
    await expect.poll(() => kube.replicas).toBe(8)
    clock += policy.coolDownMs
    await polls(10)
    expect(kube.applied()).toEqual([5, 8])
    expect(controller.loadQueries.every((q) => q.includes('intervals=10'))).toBe(true)
  })

  it('does not scale up again when more workers did not raise the rate', async () => {
    controller.running(60_000, 1, 100)
    await startAutoscaler(1)
    await expect.poll(() => kube.replicas).toBe(5)
    // Still 100 events/s in total with five workers: the bottleneck is elsewhere.
    controller.running(60_000, 5, 20)
    clock += policy.coolDownMs
    await polls(10)
    expect(kube.applied()).toEqual([5])
  })

  it('scales down when idle, one step per cool-down, never below the minimum', async () => {
    controller.finished()
    await startAutoscaler(8)
    await polls(5)
    expect(kube.replicas).toBe(8)
    clock += policy.idleMs
    await expect.poll(() => kube.replicas).toBe(6)
    await polls(10)
    expect(kube.replicas).toBe(6)
    for (const expected of [4, 2, 1]) {
      clock += policy.coolDownMs
      await expect.poll(() => kube.replicas).toBe(expected)
    }
    clock += policy.coolDownMs
    await polls(10)
    expect(kube.applied()).toEqual([6, 4, 2, 1])
  })

  it('brings a count set outside the bounds back, even during the cool-down', async () => {
    controller.finished()
    await startAutoscaler(8)
    kube.setExternally(20)
    await expect.poll(() => kube.replicas).toBe(8)
    kube.setExternally(0)
    await expect.poll(() => kube.replicas).toBe(1)
  })

  it('survives API errors, timeouts, conflicts and a failing controller', async () => {
    controller.running(60_000, 1, 100)
    // 500s, a request that never answers (the 300 ms timeout ends it), and failed writes.
    const s = await startAutoscaler(1, (api) => {
      api.faults.GET = ['error500', 'hang', 'error500']
      api.faults.PUT = ['conflict409', 'error500']
    })
    await expect.poll(() => kube.replicas).toBe(5)
    expect(kube.faults.GET).toEqual([])
    expect(kube.faults.PUT).toEqual([])
    const failures = await s.registry.getSingleMetric('beamloom_autoscaler_failures_total')?.get()
    const byStep = Object.fromEntries(
      (failures?.values ?? []).map((v) => [String(v.labels.step), v.value]),
    )
    expect(byStep.read).toBeGreaterThanOrEqual(3)
    expect(byStep.write).toBe(2)
    expect(s.state).toBe('running')

    // The controller goes away: no change, not ready, still running; back: ready again.
    const health = () => fetch(`http://127.0.0.1:${s.port}/health/ready`).then((r) => r.status)
    await expect.poll(health).toBe(200)
    controller.failing = true
    await expect.poll(health).toBe(503)
    expect(s.state).toBe('running')
    controller.failing = false
    await expect.poll(health).toBe(200)
    expect(warnings.length).toBeGreaterThanOrEqual(6)

    // It only ever touched the scale subresource, with GET and PUT (what its Role allows).
    const paths = new Set(kube.requests.map((r) => `${r.method} ${r.path}`))
    expect(paths).toEqual(
      new Set([
        'GET /apis/apps/v1/namespaces/beamline/deployments/beamloom-worker/scale',
        'PUT /apis/apps/v1/namespaces/beamline/deployments/beamloom-worker/scale',
      ]),
    )
  })
})
