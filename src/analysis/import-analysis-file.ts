import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { extname } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  RESOLVE_HOST_HOOKS,
  type ResolveHostData,
  serveCompiledHook,
} from './analysis-loader-hooks.js'
import { compileTypeScript } from './compile-typescript.js'
import { type CwdTsconfig, compilesAlone, readCwdTsconfig, scanImports } from './compiles-alone.js'
import { isPathSpecifier } from './module-imports.js'

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
type Module = Record<string, unknown>

/** This thread's loader: what the hooks answer, tsx's namespace, and tsx once a module needed it. */
interface Loader {
  readonly namespace: string
  readonly host: ResolveHostData
  readonly tsconfig: CwdTsconfig
  /** Whether the hooks are registered (after the first module's host entries are loaded). */
  hooked: boolean
  /** Modules compiled alone, by URL: each file is compiled once. */
  readonly alone: Map<string, Promise<Module>>
  tsx?: Promise<ScopedImport>
}

/**
 * Per thread (hooks are registered per thread: a worker thread that loads a module sets up its
 * own). One namespace per thread, tsx's: a file compiled alone gets the URL tsx would give it,
 * so loading the same file twice gives the same classes, whichever way it was compiled.
 */
let loader: Loader | undefined

function hooksUrl(source: string): string {
  return `data:text/javascript,${encodeURIComponent(source)}`
}

/**
 * Register the hooks that resolve `beamloom` to the host (`RESOLVE_HOST_HOOKS`). As tsx does on
 * registering, turn source maps on: stacks of compiled modules point into their TypeScript.
 */
function hook(l: Loader): void {
  if (l.hooked) return
  const data: ResolveHostData = l.host
  registerHooks(hooksUrl(RESOLVE_HOST_HOOKS), { data })
  process.setSourceMapsEnabled(true)
  l.hooked = true
}

/**
 * tsx's namespaced ESM hooks, then the resolving hooks again: Node runs the hook registered
 * last first, so they answer `beamloom` before tsx could add its namespace to the URL.
 */
async function tsxImport(l: Loader): Promise<ScopedImport> {
  const { register } = await import('tsx/esm/api')
  const scoped = register({ namespace: l.namespace })
  const data: ResolveHostData = l.host
  registerHooks(hooksUrl(RESOLVE_HOST_HOOKS), { data })
  return (specifier, parentURL) => scoped.import(specifier, parentURL)
}

/**
 * Load the host's entries that a module names, before the hooks start: once they run, every
 * import in the thread takes a round trip through the loader thread, which about doubled the
 * time to load `beamloom/analysis` (issue 14). Nothing changes but the time: the module would
 * load them as it starts. Best effort: a module the scan could not read (`undefined`) preloads
 * nothing.
 */
async function preloadHostEntries(
  path: string,
  specifiers: readonly string[] | undefined,
  host: ResolveHostData,
): Promise<void> {
  const url = pathToFileURL(path)
  const wanted = new Set<string>()
  for (const s of specifiers ?? []) {
    const entry = isPathSpecifier(s) ? host.sources[new URL(s, url).href] : host.entries[s]
    if (entry !== undefined) wanted.add(entry)
  }
  for (const entry of wanted) await import(entry)
}

/**
 * A module compiled alone: esbuild starts on the compile while this thread loads the host's
 * entries and starts the hooks, then a hook serves the compiled text under tsx's URL for the
 * file (`serveCompiledHook`).
 */
async function importAlone(
  l: Loader,
  path: string,
  specifiers: readonly string[],
  url: string,
): Promise<Module> {
  const compiled = compileTypeScript(
    path,
    l.tsconfig.kind === 'plain' ? { compilerOptions: l.tsconfig.compilerOptions } : undefined,
  )
  // Settled below; until then a failed compile must not count as unhandled.
  compiled.catch(() => {})
  if (!l.hooked) await preloadHostEntries(path, specifiers, l.host)
  hook(l)
  registerHooks(hooksUrl(serveCompiledHook(url, await compiled)))
  return (await import(url)) as Module
}

/**
 * Import a user's analysis file: TypeScript with no build step, JavaScript natively; in all,
 * `import … from 'beamloom'` (and `'beamloom/analysis'`) resolves to the host's own instance
 * of the package. A TypeScript file that imports nothing to compile but itself is compiled
 * alone with esbuild (`compilesAlone`); others load through tsx, which starts on first need.
 * Works in the main thread and in worker threads. Rejects with the loader's error (syntax
 * error, missing import).
 */
export async function importAnalysisFile(path: string): Promise<Module> {
  loader ??= {
    namespace: randomUUID(),
    host: { entries: hostEntries(), sources: checkoutSources() },
    tsconfig: readCwdTsconfig(),
    hooked: false,
    alone: new Map(),
  }
  const l = loader
  const url = pathToFileURL(path).href
  // Read once: what decides the way to load it and what is preloaded.
  const specifiers = scanImports(path)
  if (TYPESCRIPT.has(extname(path))) {
    const options = {
      tsconfig: l.tsconfig,
      hostSpecifiers: new Set(Object.keys(l.host.entries)),
      hostSources: l.host.sources,
    }
    if (specifiers !== undefined && compilesAlone(path, options, specifiers)) {
      const namespaced = `${url}?tsx-namespace=${l.namespace}`
      let mod = l.alone.get(namespaced)
      if (mod === undefined) {
        mod = importAlone(l, path, specifiers, namespaced)
        l.alone.set(namespaced, mod)
      }
      return mod
    }
  }
  if (!l.hooked) await preloadHostEntries(path, specifiers, l.host)
  hook(l)
  if (!TYPESCRIPT.has(extname(path))) return (await import(url)) as Module
  l.tsx ??= tsxImport(l)
  const scopedImport = await l.tsx
  return (await scopedImport(url, import.meta.url)) as Module
}
