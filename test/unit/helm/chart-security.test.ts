import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { parseCurveSecret } from '../../../src/transport/curve-keys.js'
import { CHART_DIR, type RenderedObject, renderChart } from '../../harness/helm-render.js'
import { type Container, find, roleOf, type Workload, workloads } from './rendered.js'

const COMMAND: string[] = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')).command

/** Every beamloom container of the rendering, with its role. */
function containers(objects: readonly RenderedObject[]) {
  return workloads(objects).flatMap((w) =>
    w.spec.template.spec.containers.flatMap((c: Container) => {
      const role = roleOf(c, COMMAND)
      return role === undefined ? [] : [{ workload: w, container: c, role }]
    }),
  )
}

function envNames(c: Container): string[] {
  return (c.env ?? []).map((e) => e.name)
}

describe('helm chart security defaults', () => {
  const objects = renderChart({ release: 'bl', valuesFiles: ['examples/nanomax.yaml'] })

  it('keys every ingester, worker and reducer with the data-plane Secret, mounted read-only', () => {
    const dataPlane = containers(objects).filter((c) =>
      ['ingester', 'worker', 'reducer'].includes(c.role),
    )
    expect(new Set(dataPlane.map((c) => c.role))).toEqual(
      new Set(['ingester', 'worker', 'reducer']),
    )
    for (const { workload, container } of dataPlane) {
      const env = container.env ?? []
      expect(env.find((e) => e.name === 'DATA_PLANE_KEY_FILE')?.value, workload.metadata.name).toBe(
        '/etc/beamloom/data-plane/data-plane.key',
      )
      expect(container.volumeMounts).toContainEqual({
        name: 'data-plane-key',
        mountPath: '/etc/beamloom/data-plane',
        readOnly: true,
      })
      expect(workload.spec.template.spec.volumes).toContainEqual(
        expect.objectContaining({
          name: 'data-plane-key',
          secret: expect.objectContaining({ secretName: 'bl-beamloom-data-plane' }),
        }),
      )
    }
    const secret = find<RenderedObject & { data: Record<string, string> }>(
      objects,
      'Secret',
      'bl-beamloom-data-plane',
    )
    const file = Buffer.from(secret.data['data-plane.key'] ?? '', 'base64').toString('utf8')
    expect(parseCurveSecret(file)).toHaveLength(32)
  })

  it('always sets the controller and reducer tokens, from a Secret', () => {
    const byRole = new Map(containers(objects).map((c) => [c.role, c.container]))
    const controller = byRole.get('controller')!.env ?? []
    const reducer = byRole.get('reducer')!.env ?? []
    // nanomax names its own Secret for the controller's token; the reducer's is the chart's.
    expect(controller.find((e) => e.name === 'CONTROLLER_TOKEN')?.valueFrom).toEqual({
      secretKeyRef: { name: 'nanomax-controller-token', key: 'token' },
    })
    const byDefault = containers(renderChart({ release: 'bl' })).find(
      (c) => c.role === 'controller',
    )
    expect(byDefault?.container.env?.find((e) => e.name === 'CONTROLLER_TOKEN')?.valueFrom).toEqual(
      { secretKeyRef: { name: 'bl-beamloom-tokens', key: 'controller-token' } },
    )
    expect(reducer.find((e) => e.name === 'REDUCER_TOKEN')?.valueFrom).toEqual({
      secretKeyRef: { name: 'bl-beamloom-tokens', key: 'reducer-token' },
    })
    const tokens = find<RenderedObject & { data: Record<string, string> }>(
      objects,
      'Secret',
      'bl-beamloom-tokens',
    )
    for (const key of ['controller-token', 'reducer-token']) {
      expect(Buffer.from(tokens.data[key] ?? '', 'base64').toString()).toMatch(/^[A-Za-z0-9]{48}$/)
    }
  })

  it('uses the Secrets named in values instead of making its own', () => {
    const own = renderChart({
      release: 'bl',
      set: [
        'security.dataPlane.existingSecret=site-keys',
        'security.dataPlane.secretKey=curve.key',
        'controller.token.existingSecret=site-tokens',
        'controller.token.secretKey=controller',
        'reducer.token.existingSecret=site-tokens',
        'reducer.token.secretKey=reducer',
      ],
    })
    expect(own.filter((o) => o.kind === 'Secret')).toEqual([])
    const worker = find<Workload>(own, 'Deployment', 'bl-beamloom-worker')
    const c = worker.spec.template.spec.containers[0]!
    expect(c.env?.find((e) => e.name === 'DATA_PLANE_KEY_FILE')?.value).toBe(
      '/etc/beamloom/data-plane/curve.key',
    )
    expect(worker.spec.template.spec.volumes).toContainEqual(
      expect.objectContaining({
        secret: expect.objectContaining({
          secretName: 'site-keys',
          items: [{ key: 'curve.key', path: 'curve.key' }],
        }),
      }),
    )
    const controller = find<Workload>(own, 'Deployment', 'bl-beamloom-controller')
    expect(
      controller.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'CONTROLLER_TOKEN')
        ?.valueFrom,
    ).toEqual({ secretKeyRef: { name: 'site-tokens', key: 'controller' } })
  })

  it('security.dataPlane.curve: false leaves the data plane plain; tokens stay', () => {
    const plain = renderChart({ release: 'bl', set: ['security.dataPlane.curve=false'] })
    for (const { container } of containers(plain)) {
      expect(envNames(container)).not.toContain('DATA_PLANE_KEY_FILE')
    }
    expect(plain.map((o) => `${o.kind}/${o.metadata.name}`)).not.toContain(
      'Secret/bl-beamloom-data-plane',
    )
    expect(plain.map((o) => `${o.kind}/${o.metadata.name}`)).toContain('Secret/bl-beamloom-tokens')
  })

  it('the values schema refuses a misspelt or mistyped security key', () => {
    expect(() => renderChart({ set: ['security.dataPlane.curv=true'] })).toThrow(/curv/)
    expect(() => renderChart({ set: ['security.dataPlane.curve=maybe'] })).toThrow(/curve/)
    expect(() => renderChart({ set: ['security.dataPlane.secretKey=a/b'] })).toThrow(/secretKey/)
    expect(() => renderChart({ set: ['reducer.token.secretKey='] })).toThrow(/secretKey/)
  })
})
