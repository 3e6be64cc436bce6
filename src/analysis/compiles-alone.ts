import { existsSync, readFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isPathSpecifier, parseImportSpecifiers } from './module-imports.js'

/** The compiler options of the `tsconfig.json` that tsx would use (found from the cwd up). */
export type CwdTsconfig =
  | { readonly kind: 'none' }
  | { readonly kind: 'plain'; readonly compilerOptions: Record<string, unknown> }
  /** One this module does not read as tsx would: `extends`, `paths`, `baseUrl`, or not JSON. */
  | { readonly kind: 'other' }

/**
 * The first `tsconfig.json` from `cwd` up, as tsx finds it, read as far as esbuild needs; `other`
 * when `TSX_TSCONFIG_PATH` names another one for tsx.
 */
export function readCwdTsconfig(cwd = process.cwd(), env = process.env): CwdTsconfig {
  if (env.TSX_TSCONFIG_PATH !== undefined) return { kind: 'other' }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'tsconfig.json')
    if (existsSync(file)) return readTsconfig(file)
    if (dirname(dir) === dir) return { kind: 'none' }
  }
}

function readTsconfig(file: string): CwdTsconfig {
  let config: unknown
  try {
    config = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    // Comments, trailing commas, unreadable: tsx reads those, this does not.
    return { kind: 'other' }
  }
  if (typeof config !== 'object' || config === null || 'extends' in config) return { kind: 'other' }
  const options = 'compilerOptions' in config ? config.compilerOptions : {}
  if (typeof options !== 'object' || options === null) return { kind: 'other' }
  if ('paths' in options || 'baseUrl' in options) return { kind: 'other' }
  return { kind: 'plain', compilerOptions: options as Record<string, unknown> }
}

/**
 * What the module file `file` imports (`parseImportSpecifiers`), or `undefined` when it cannot
 * be read or the scan does not follow it.
 */
export function scanImports(file: string): string[] | undefined {
  try {
    return parseImportSpecifiers(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}

/** The `type` of the package a file belongs to (the nearest `package.json` up). */
function packageType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        const json: unknown = JSON.parse(readFileSync(pkg, 'utf8'))
        const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : ''
        return typeof type === 'string' ? type : undefined
      } catch {
        // Node refuses to load from a package whose package.json does not parse: let tsx say so.
        return undefined
      }
    }
    if (dirname(dir) === dir) return ''
  }
}

/** Whether a bare specifier, resolved from `file`, is a package file Node loads as it is. */
function isPlainPackage(specifier: string, file: string, hostSpecifiers: ReadonlySet<string>) {
  if (isBuiltin(specifier) || hostSpecifiers.has(specifier)) return true
  try {
    // CommonJS resolution: near enough to see whether the package has JavaScript to load.
    return !/\.[cm]?tsx?$/.test(createRequire(file).resolve(specifier))
  } catch {
    // Not resolvable this way (an ESM-only export, a missing package): tsx decides.
    return false
  }
}

/**
 * Whether a TypeScript analysis module can be compiled alone, as one file, to the same result
 * tsx would give: an ES module (`.mts`, or `.ts` in a `"type": "module"` package) whose imports
 * are all packages Node loads as they are (or `beamloom` itself, `hostSpecifiers`) and paths
 * the host redirects to its own entries (`hostSources`: `../../src/analysis.js` in this
 * checkout), under a `tsconfig.json` read as tsx reads it. A module that imports another
 * TypeScript file (any relative import), a CommonJS one, or one the scan cannot follow
 * (`parseImportSpecifiers`) needs tsx.
 */
export function compilesAlone(
  file: string,
  options: {
    readonly tsconfig: CwdTsconfig
    readonly hostSpecifiers: ReadonlySet<string>
    readonly hostSources: Readonly<Record<string, string>>
  },
  specifiers: readonly string[] | undefined = scanImports(file),
): boolean {
  if (options.tsconfig.kind === 'other') return false
  const ext = extname(file)
  if (ext !== '.mts' && !(ext === '.ts' && packageType(file) === 'module')) return false
  // Unreadable or not followed by the scan: the loader reports or handles it as it always has.
  if (specifiers === undefined) return false
  const url = pathToFileURL(file)
  return specifiers.every((s) =>
    isPathSpecifier(s)
      ? Object.hasOwn(options.hostSources, new URL(s, url).href)
      : isPlainPackage(s, file, options.hostSpecifiers),
  )
}
