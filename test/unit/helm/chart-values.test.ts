import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { CHART_DIR, renderChart, runHelm } from '../../harness/helm-render.js'

interface SchemaNode {
  type?: string | string[]
  properties?: Record<string, SchemaNode>
  items?: SchemaNode
  additionalProperties?: boolean | SchemaNode
}

const values: unknown = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'))
const schema: SchemaNode = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'))

/** Keys of values.yaml with no schema, and schema properties values.yaml leaves out. */
function compare(value: unknown, node: SchemaNode, path: string, out: string[]): void {
  if (node.properties === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    const child = node.properties[key]
    if (child === undefined) out.push(`${path}${key}: in values.yaml, not in the schema`)
    else compare(record[key], child, `${path}${key}.`, out)
  }
  // A component's image override is empty by default: its keys come from the top-level image.
  if (path.endsWith('.image.')) return
  for (const key of Object.keys(node.properties)) {
    // `global` is Helm's own.
    if (key === 'global') continue
    if (!(key in record)) out.push(`${path}${key}: in the schema, not in values.yaml`)
  }
}

describe('helm chart values', () => {
  it('values.schema.json and values.yaml describe the same keys', () => {
    const out: string[] = []
    compare(values, schema, '', out)
    expect(out).toEqual([])
  })

  it('the schema closes every object, so a misspelt key is an error', () => {
    const open: string[] = []
    const walk = (node: SchemaNode, path: string) => {
      if (node.properties !== undefined && node.additionalProperties !== false) open.push(path)
      for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${k}`)
      if (node.items !== undefined) walk(node.items, `${path}[]`)
    }
    walk(schema, '')
    expect(open).toEqual([])
    expect(() => renderChart({ set: ['workers.replcas=3'] })).toThrow(/replcas/)
  })

  it('helm lint --strict passes for the defaults and both examples', () => {
    for (const file of [
      [],
      ['-f', join(CHART_DIR, 'examples/nanomax.yaml')],
      ['-f', join(CHART_DIR, 'examples/balder.yaml')],
    ]) {
      expect(runHelm(['lint', '--strict', CHART_DIR, ...file])).toMatch(
        /1 chart\(s\) linted, 0 chart\(s\) failed/,
      )
    }
  })

  it('refuses values that would break the deployment, naming the problem', () => {
    // A grace period not longer than the 10 s drain would kill draining workers.
    expect(() => renderChart({ set: ['terminationGracePeriodSeconds=10'] })).toThrow(
      /terminationGracePeriodSeconds/,
    )
    expect(() =>
      renderChart({
        set: [
          'ingesters[0].name=eiger',
          'ingesters[0].device=stins',
          'ingesters[0].streams={eiger}',
        ],
      }),
    ).toThrow(/upstream/)
    expect(() => renderChart({ set: ['autoscaler.enabled=true'] })).toThrow(
      /autoscale.enabled: true/,
    )
    expect(() => renderChart({ set: ['ingress.enabled=true'] })).toThrow(/controllerHost/)
    expect(() => renderChart({ set: ['redis.enabled=false'] })).toThrow(/redis.external.host/)
    expect(() => renderChart({ set: ['workers.tags={a,}'] })).toThrow(/tags/)
    expect(() => renderChart({ set: ['workers.dataReceive=libzmq'] })).toThrow(/dataReceive/)
    expect(() => renderChart({ set: ['workers.frameSlabBytes=1024'] })).toThrow(/frameSlabBytes/)
    // A node flag without its dashes would be read by node as the script to run.
    expect(() => renderChart({ set: ['dataPathNodeFlags={single-threaded-gc}'] })).toThrow(
      /dataPathNodeFlags/,
    )
  })

  it('prometheus.scrape: false drops the scrape annotations', () => {
    const scraped = (set: string[]) =>
      renderChart({ set })
        .filter((o) => o.kind === 'Deployment')
        .filter((o) => JSON.stringify(o).includes('prometheus.io/scrape')).length
    expect(scraped([])).toBe(3)
    expect(scraped(['prometheus.scrape=false'])).toBe(0)
  })

  it('an extra pool inherits what it does not set from workers', () => {
    const objects = renderChart({
      set: [
        'extraWorkerPools[0].name=gpu',
        'extraWorkerPools[0].tags={gpu}',
        'workers.windowEvents=32',
        'workers.dataReceive=zeromq',
        'workers.frameSlabBytes=4194304',
      ],
    })
    const gpu = objects.find((o) => o.metadata.name === 'test-beamloom-worker-gpu') as unknown as {
      spec: {
        replicas: number
        template: { spec: { containers: { env: { name: string; value?: string }[] }[] } }
      }
    }
    const env = Object.fromEntries(
      (gpu.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]),
    )
    expect(env.WORKER_TAGS).toBe('gpu')
    expect(env.WORKER_WINDOW_EVENTS).toBe('32')
    expect(env.WORKER_DATA_RECEIVE).toBe('zeromq')
    expect(env.WORKER_FRAME_SLAB_BYTES).toBe('4194304')
    expect(env.WORKER_MODULE).toBe((values as { workers: { module: string } }).workers.module)
    expect(gpu.spec.replicas).toBe((values as { workers: { replicas: number } }).workers.replicas)
  })
})
