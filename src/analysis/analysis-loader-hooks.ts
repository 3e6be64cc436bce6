/**
 * The module hooks (Node's `module.register`, run in the loader thread) that analysis modules
 * load through. Written as data: URLs so they work whether the host runs compiled (`dist/`) or
 * from source.
 *
 * {@link RESOLVE_HOST_HOOKS}: the bare specifiers `beamloom` and `beamloom/analysis`
 * (`entries`) resolve to the running package's own entries, so analysis modules share the
 * host's instance of the package: one copy of every class (`instanceof` holds across the seam),
 * one copy of its CommonJS dependencies. Without it, tsx's scoped import loads the package a
 * second time under its namespace, and ioredis's CommonJS index throws "Cannot redefine
 * property: default" on the second load. `sources` does the same for a module inside this
 * checkout that imports an entry by its path (`../../src/analysis.js`, as the examples do)
 * while the host runs compiled: without it, tsx compiled the entry and all it imports from
 * source, a second copy of the engine that took most of a replay's start-up (issue 14).
 */
export const RESOLVE_HOST_HOOKS = `
let entries
let sources
export function initialize(data) {
  entries = data.entries
  sources = data.sources
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
`

/** What {@link RESOLVE_HOST_HOOKS} is initialised with. */
export interface ResolveHostData {
  /** Bare specifier → URL of the host's entry. */
  readonly entries: Record<string, string>
  /** URL of a checkout's entry source → URL of the compiled entry that runs. */
  readonly sources: Record<string, string>
}

/**
 * A hook that answers the load of `url` with `source`, an ES module compiled in the main thread
 * (`compile-typescript.ts`); registered once per module compiled alone, so the loader thread
 * never starts a compiler. Every other URL goes on down the chain. The URL and the text are part
 * of the hook's own source: each registration is a module of its own (Node would reuse one
 * module registered twice under the same URL, and initialise it again).
 */
export function serveCompiledHook(url: string, source: string): string {
  return `
const url = ${JSON.stringify(url)}
const source = ${JSON.stringify(source)}
export async function load(requested, context, next) {
  if (requested !== url) return next(requested, context)
  return { format: 'module', source, shortCircuit: true }
}
`
}
