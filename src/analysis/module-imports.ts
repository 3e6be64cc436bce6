/**
 * What a module's source imports, found by a scan of its text (no parser): the specifiers of
 * `import … from 'x'`, `export … from 'x'` and `import 'x'`. The scan errs on the side of
 * finding too much (an import written inside a comment or a string counts too) and gives up,
 * returning `undefined`, on what it does not follow: any `import(` (tsx rewrites dynamic
 * imports) and any `require(`. Used to decide whether a TypeScript analysis module can be
 * compiled on its own (see `compiles-alone.ts`); a needless `undefined` only costs the slower
 * loader.
 */
export function parseImportSpecifiers(source: string): string[] | undefined {
  if (/\b(require|import)\s*\(/.test(source)) return undefined
  const specifiers: string[] = []
  for (const m of source.matchAll(/(?:\bfrom|\bimport)\s*(['"])([^'"\n]*)\1/g)) {
    specifiers.push(m[2] ?? '')
  }
  return specifiers
}

/** Whether `specifier` names a file (relative, absolute or a `file:` URL) rather than a package. */
export function isPathSpecifier(specifier: string): boolean {
  return /^(\.{1,2}(\/|$)|\/|file:)/.test(specifier)
}
