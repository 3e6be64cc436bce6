import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx', '.jsx'])

/** The specifier analysis modules use to import the engine. */
const PACKAGE_NAME = 'beamloom'

/**
 * A module-resolution hook (Node's `module.register`) that resolves the bare specifier
 * `beamloom` to the running package's own entry. Analysis modules then share the host's
 * instance of the package: one copy of every class (so `instanceof` holds across the seam),
 * one copy of its CommonJS dependencies. Without it, tsx's scoped import loads the package a
 * second time under its namespace, and ioredis's CommonJS index throws "Cannot redefine
 * property: default" on the second load. Written as a data: URL so it works whether the host
 * runs compiled (`dist/`) or from source.
 */
const REDIRECT_HOOK = `
let entry
export function initialize(data) { entry = data.entry }
export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(PACKAGE_NAME)}) return { url: entry, format: 'module', shortCircuit: true }
  return next(specifier, context)
}
`

/** The running package's entry (`index.js` beside `analysis/`), when it exists as a file. */
function hostEntry(): string | undefined {
  for (const name of ['../index.js', '../index.ts']) {
    const url = new URL(name, import.meta.url)
    if (existsSync(url)) return url.href
  }
  return undefined
}

type ScopedImport = (specifier: string, parentURL: string) => Promise<unknown>

/**
 * Per thread (hooks are registered per thread: a worker thread that loads a module sets up its
 * own): tsx's namespaced ESM hooks for TypeScript, then the redirect. Node runs the hook
 * registered last first, so the redirect answers `beamloom` before tsx could add its namespace
 * to the URL. One namespace per thread: loading the same file twice gives the same classes.
 */
let setup: Promise<ScopedImport> | undefined

async function setUp(): Promise<ScopedImport> {
  const { register } = await import('tsx/esm/api')
  const scoped = register({ namespace: randomUUID() })
  const entry = hostEntry()
  if (entry !== undefined) {
    registerHooks(`data:text/javascript,${encodeURIComponent(REDIRECT_HOOK)}`, {
      data: { entry },
    })
  }
  return (specifier, parentURL) => scoped.import(specifier, parentURL)
}

/**
 * Import a user's analysis file: TypeScript through tsx (no build step), JavaScript natively;
 * in both, `import … from 'beamloom'` resolves to the host's own instance of the package.
 * Works in the main thread and in worker threads. Rejects with the loader's error (syntax
 * error, missing import).
 */
export async function importAnalysisFile(path: string): Promise<Record<string, unknown>> {
  setup ??= setUp()
  const scopedImport = await setup
  const url = pathToFileURL(path).href
  if (TYPESCRIPT.has(extname(path))) {
    return (await scopedImport(url, import.meta.url)) as Record<string, unknown>
  }
  return (await import(url)) as Record<string, unknown>
}
