/**
 * The module hooks (Node's `module.register`, run in the loader thread) that analysis modules
 * load through. Written as a data: URL so they work whether the host runs compiled (`dist/`)
 * or from source.
 *
 * - resolve: the bare specifiers `beamloom` and `beamloom/analysis` (`entries`) resolve to the
 *   running package's own entries, so analysis modules share the host's instance of the
 *   package: one copy of every class (`instanceof` holds across the seam), one copy of its
 *   CommonJS dependencies. Without it, tsx's scoped import loads the package a second time
 *   under its namespace, and ioredis's CommonJS index throws "Cannot redefine property:
 *   default" on the second load. `sources` does the same for a module inside this checkout
 *   that imports an entry by its path (`../../src/analysis.js`, as the examples do) while the
 *   host runs compiled: without it, tsx compiled the entry and all it imports from source, a
 *   second copy of the engine that took most of a replay's start-up (issue 14).
 * - load (only with `namespace`): a TypeScript file imported as `<file URL>?tsx-namespace=<ns>`
 *   is compiled on its own with esbuild's transform, as tsx would compile it (same URL, same
 *   esbuild options), without starting tsx. Only files that need nothing else compiled come
 *   this way (`compilesAlone`); tsx, registered later in the thread when a module needs it,
 *   answers those URLs before this hook does.
 */
export const ANALYSIS_LOADER_HOOKS = `
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
let entries
let sources
let namespace
let esbuildFrom
let tsconfigRaw
let esbuild
export function initialize(data) {
  entries = data.entries
  sources = data.sources
  namespace = data.namespace
  esbuildFrom = data.esbuildFrom
  tsconfigRaw = data.tsconfigRaw
}
function sourceEntry(specifier, parentURL) {
  if (parentURL === undefined || !/^(\\.\\.?\\/|\\/|file:)/.test(specifier)) return undefined
  const target = new URL(specifier, parentURL)
  target.search = ''
  target.hash = ''
  return Object.hasOwn(sources, target.href) ? sources[target.href] : undefined
}
export async function resolve(specifier, context, next) {
  const url = Object.hasOwn(entries, specifier)
    ? entries[specifier]
    : sourceEntry(specifier, context.parentURL)
  if (url !== undefined) return { url, format: 'module', shortCircuit: true }
  return next(specifier, context)
}
export async function load(url, context, next) {
  if (namespace === undefined || !url.startsWith('file:')) return next(url, context)
  const parsed = new URL(url)
  if (parsed.searchParams.get('tsx-namespace') !== namespace) return next(url, context)
  if (!/\\.m?ts$/.test(parsed.pathname)) return next(url, context)
  const file = fileURLToPath(parsed)
  // Loaded with require: importing esbuild's CommonJS from ESM would scan all of it for names.
  esbuild ??= createRequire(esbuildFrom)('esbuild')
  // tsx's options, and its name for a .mts file (x.mts compiles as x.ts: errors name x.ts).
  const sourcefile = file.endsWith('.mts') ? file.slice(0, -3) + 'ts' : file
  const options = {
    loader: 'ts',
    format: 'esm',
    target: 'node' + process.versions.node,
    sourcefile,
    sourcemap: true,
    sourcesContent: false,
    minifyWhitespace: true,
    keepNames: true,
    ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
  }
  let code
  try {
    // The asynchronous call: the synchronous one starts a thread of its own to wait on.
    const out = await esbuild.transform(await readFile(file, 'utf8'), options)
    const map = out.map.replace(JSON.stringify(sourcefile), JSON.stringify(file))
    code =
      out.code +
      // Split so that this line is no source-map comment of the hooks' own module.
      '\\n//# sourceMapping' +
      'URL=data:application/json;base64,' +
      Buffer.from(map).toString('base64')
  } catch (err) {
    // As tsx reports it: esbuild's message, without its lists of errors and warnings.
    err.name = 'TransformError'
    delete err.errors
    delete err.warnings
    throw err
  }
  return { format: 'module', source: code, shortCircuit: true }
}
`

/** What {@link ANALYSIS_LOADER_HOOKS} is initialised with. */
export interface AnalysisLoaderData {
  /** Bare specifier → URL of the host's entry. */
  readonly entries: Record<string, string>
  /** URL of a checkout's entry source → URL of the compiled entry that runs. */
  readonly sources: Record<string, string>
  /** tsx's namespace of this thread; without it the hooks only resolve. */
  readonly namespace?: string
  /** A file URL from which `require('esbuild')` finds esbuild. */
  readonly esbuildFrom?: string
  /** The compiler options esbuild reads (tsx's are those of `tsconfig.json` in the cwd). */
  readonly tsconfigRaw?: { readonly compilerOptions: Record<string, unknown> }
}
