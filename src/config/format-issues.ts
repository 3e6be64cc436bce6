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

/**
 * Zod issues as one line, the one format every error message uses (pure):
 * `path: message; path: message`, the path as dotted parts (`a.0.b`), as
 * `options.nameOf` names it (an env variable, for input read from the environment), or
 * `options.root` when the issue is about the whole input.
 */
export function formatIssues(
  issues: z.ZodError | readonly z.core.$ZodIssue[],
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
