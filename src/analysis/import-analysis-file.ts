import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ANALYSIS_LOADER_HOOKS, type AnalysisLoaderData } from './analysis-loader-hooks.js'
import { compilesAlone, readCwdTsconfig } from './compiles-alone.js'
import { isPathSpecifier, parseImportSpecifiers } from './module-imports.js'

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx', '.jsx'])

/** The specifiers analysis modules use to import the engine, and the host's file of each. */
const PACKAGE_ENTRIES: Record<string, string> = {
  beamloom: 'index',
  'beamloom/analysis': 'analysis',
}

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

/**
 * When the host runs compiled (`dist/src/analysis/` of a checkout): the URLs of the checkout's
 * own entry sources (`src/analysis.ts`, and `src/analysis.js` as TypeScript spells the import),
 * each mapped to the compiled entry that runs. Empty when the host runs from source, or when
 * the package has no sources beside `dist/`.
 */
function checkoutSources(): Record<string, string> {
  const sources: Record<string, string> = {}
  if (!import.meta.url.endsWith('/dist/src/analysis/import-analysis-file.js')) return sources
  for (const file of Object.values(PACKAGE_ENTRIES)) {
    const compiled = new URL(`../${file}.js`, import.meta.url)
    const source = new URL(`../../../src/${file}.ts`, import.meta.url)
    if (!existsSync(compiled) || !existsSync(source)) continue
    sources[source.href] = compiled.href
    sources[new URL(`../../../src/${file}.js`, import.meta.url).href] = compiled.href
  }
  return sources
}

type ScopedImport = (specifier: string, parentURL: string) => Promise<unknown>

/** This thread's loader: the hooks, tsx's namespace, and tsx once a module needed it. */
interface Loader {
  readonly namespace: string
  readonly entries: Record<string, string>
  readonly sources: Record<string, string>
  readonly compilesAlone: (path: string) => boolean
  tsx?: Promise<ScopedImport>
}

/**
 * Per thread (hooks are registered per thread: a worker thread that loads a module sets up its
 * own): the analysis hooks (`analysis-loader-hooks.ts`), which resolve `beamloom` to the host
 * and compile single TypeScript files. tsx starts only when a module needs it (`tsxImport`).
 * One namespace per thread: loading the same file twice gives the same classes, whichever
 * loader compiled it.
 */
let loader: Loader | undefined

function setUp(entries: Record<string, string>, sources: Record<string, string>): Loader {
  const namespace = randomUUID()
  const tsconfig = readCwdTsconfig()
  const data: AnalysisLoaderData = {
    entries,
    sources,
    namespace,
    esbuildFrom: import.meta.url,
    ...(tsconfig.kind === 'plain'
      ? { tsconfigRaw: { compilerOptions: tsconfig.compilerOptions } }
      : {}),
  }
  registerHooks(`data:text/javascript,${encodeURIComponent(ANALYSIS_LOADER_HOOKS)}`, { data })
  // As tsx does on registering: stacks of compiled modules point into their TypeScript.
  process.setSourceMapsEnabled(true)
  const hostSpecifiers = new Set(Object.keys(entries))
  return {
    namespace,
    entries,
    sources,
    compilesAlone: (path) =>
      compilesAlone(path, { tsconfig, hostSpecifiers, hostSources: sources }),
  }
}

/**
 * tsx's namespaced ESM hooks, then the resolving hooks again: Node runs the hook registered
 * last first, so they answer `beamloom` before tsx could add its namespace to the URL.
 */
async function tsxImport(l: Loader): Promise<ScopedImport> {
  const { register } = await import('tsx/esm/api')
  const scoped = register({ namespace: l.namespace })
  const data: AnalysisLoaderData = { entries: l.entries, sources: l.sources }
  registerHooks(`data:text/javascript,${encodeURIComponent(ANALYSIS_LOADER_HOOKS)}`, { data })
  return (specifier, parentURL) => scoped.import(specifier, parentURL)
}

/**
 * Load the host's entries that the first module names, before the hooks start: once they run,
 * every import in the thread takes a round trip through the loader thread, which about doubled
 * the time to load `beamloom/analysis` (issue 14). Nothing changes but the time: the module
 * would load them as it starts. Best effort: a module the scan cannot read preloads nothing.
 */
async function preloadHostEntries(
  path: string,
  entries: Record<string, string>,
  sources: Record<string, string>,
): Promise<void> {
  let specifiers: string[] | undefined
  try {
    specifiers = parseImportSpecifiers(readFileSync(path, 'utf8'))
  } catch {
    // Unreadable: the import below fails and says why.
    return
  }
  const url = pathToFileURL(path)
  const wanted = new Set<string>()
  for (const s of specifiers ?? []) {
    const entry = isPathSpecifier(s) ? sources[new URL(s, url).href] : entries[s]
    if (entry !== undefined) wanted.add(entry)
  }
  for (const entry of wanted) await import(entry)
}

/**
 * Import a user's analysis file: TypeScript with no build step, JavaScript natively; in all,
 * `import … from 'beamloom'` (and `'beamloom/analysis'`) resolves to the host's own instance
 * of the package. A TypeScript file that imports nothing to compile but itself is compiled
 * alone with esbuild (`compilesAlone`); others load through tsx, which starts on first need.
 * Works in the main thread and in worker threads. Rejects with the loader's error (syntax
 * error, missing import).
 */
export async function importAnalysisFile(path: string): Promise<Record<string, unknown>> {
  if (loader === undefined) {
    const entries = hostEntries()
    const sources = checkoutSources()
    await preloadHostEntries(path, entries, sources)
    loader ??= setUp(entries, sources)
  }
  const url = pathToFileURL(path).href
  if (!TYPESCRIPT.has(extname(path))) return (await import(url)) as Record<string, unknown>
  if (loader.compilesAlone(path)) {
    return (await import(`${url}?tsx-namespace=${loader.namespace}`)) as Record<string, unknown>
  }
  loader.tsx ??= tsxImport(loader)
  const scopedImport = await loader.tsx
  return (await scopedImport(url, import.meta.url)) as Record<string, unknown>
}
