import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx', '.jsx'])

/** The specifiers analysis modules use to import the engine, and the host's file of each. */
const PACKAGE_ENTRIES: Record<string, string> = {
  beamloom: 'index',
  'beamloom/analysis': 'analysis',
}

/**
 * A module-resolution hook (Node's `module.register`) that resolves the bare specifiers
 * `beamloom` and `beamloom/analysis` to the running package's own entries. Analysis modules then share the host's
 * instance of the package: one copy of every class (so `instanceof` holds across the seam),
 * one copy of its CommonJS dependencies. Without it, tsx's scoped import loads the package a
 * second time under its namespace, and ioredis's CommonJS index throws "Cannot redefine
 * property: default" on the second load. Written as a data: URL so it works whether the host
 * runs compiled (`dist/`) or from source.
 */
const REDIRECT_HOOK = `
let entries
export function initialize(data) { entries = data.entries }
export async function resolve(specifier, context, next) {
  const url = Object.hasOwn(entries, specifier) ? entries[specifier] : undefined
  if (url !== undefined) return { url, format: 'module', shortCircuit: true }
  return next(specifier, context)
}
`

/** The running package's entries (`index.js`, `analysis.js` beside `analysis/`) that exist. */
function hostEntries(): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const [specifier, file] of Object.entries(PACKAGE_ENTRIES)) {
    for (const ext of ['.js', '.ts']) {
      const url = new URL(`../${file}${ext}`, import.meta.url)
      if (existsSync(url)) {
        entries[specifier] = url.href
        break
      }
    }
  }
  return entries
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
  const entries = hostEntries()
  if (Object.keys(entries).length > 0) {
    registerHooks(`data:text/javascript,${encodeURIComponent(REDIRECT_HOOK)}`, {
      data: { entries },
    })
  }
  return (specifier, parentURL) => scoped.import(specifier, parentURL)
}

/**
 * Import a user's analysis file: TypeScript through tsx (no build step), JavaScript natively;
 * in both, `import … from 'beamloom'` (and `'beamloom/analysis'`) resolves to the host's own
 * instance of the package.
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
