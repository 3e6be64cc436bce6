import type { z } from 'zod'

/** Options of {@link formatIssues}. */
export interface FormatIssuesOptions {
  /**
   * The name an issue's path is shown as, e.g. the env variable an option was read from;
   * `undefined` falls back to the path's parts joined by `.`.
   */
  readonly nameOf?: (path: readonly PropertyKey[]) => string | undefined
  /** What an issue about the whole input is called (default `(root)`). */
  readonly root?: string
  /** At most this many issues are listed, then how many more there were. */
  readonly max?: number
}

/** What {@link formatIssues} reads of an issue: a zod issue, or one listed by {@link listIssues}. */
export interface IssueLike {
  readonly path: readonly PropertyKey[]
  readonly message: string
}

/** One issue with a JSON-safe path (`['eiger', 0, 0, 'constraint']`), as HTTP 400 bodies list them. */
export interface ListedIssue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/**
 * Zod issues as one line, the one format every error message uses (pure):
 * `path: message; path: message`, the path as dotted parts (`a.0.b`), as
 * `options.nameOf` names it (an env variable, for input read from the environment), or
 * `options.root` when the issue is about the whole input. Takes a `ZodError`, its issues, or
 * issues listed by {@link listIssues} (and ones made like them).
 */
export function formatIssues(
  issues: z.ZodError | readonly IssueLike[],
  options: FormatIssuesOptions = {},
): string {
  const all = 'issues' in issues ? issues.issues : issues
  const shown = options.max === undefined ? all : all.slice(0, options.max)
  const parts = shown.map((issue) => `${pathName(issue.path, options)}: ${issue.message}`)
  if (shown.length < all.length) parts.push(`(${all.length - shown.length} more)`)
  return parts.join('; ')
}

function pathName(path: readonly PropertyKey[], options: FormatIssuesOptions): string {
  const named = options.nameOf?.(path)
  if (named !== undefined) return named
  return path.length === 0 ? (options.root ?? '(root)') : path.map(String).join('.')
}

/**
 * Zod issues as a list of paths and messages (pure), what an HTTP 400 body carries as `issues`;
 * {@link formatIssues} makes the message's line of the same list. A symbol key (zod never makes
 * one from JSON) is shown as its text.
 */
export function listIssues(issues: z.ZodError | readonly z.core.$ZodIssue[]): ListedIssue[] {
  const all = 'issues' in issues ? issues.issues : issues
  return all.map((issue) => ({
    path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
    message: issue.message,
  }))
}
