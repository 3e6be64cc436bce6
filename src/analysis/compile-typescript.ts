import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

type Esbuild = typeof import('esbuild')

// Required, not imported: importing esbuild's CommonJS from ESM scans all of it for names.
// Loaded on the first compile only: a replay of JavaScript modules never loads it.
const require = createRequire(import.meta.url)
let esbuild: Esbuild | undefined

/**
 * Compile one TypeScript file to an ES module the way tsx does (esbuild's transform with tsx's
 * options, `compilerOptions` from the cwd's `tsconfig.json`), with an inline source map that
 * names the file, so stack lines point into the TypeScript. Rejects as tsx did: an `Error` named
 * `TransformError` with esbuild's message (`Transform failed with 1 error:\n<file>:2:0: ERROR: …`;
 * tsx names a `.mts` file's source `x.ts`, and so does this).
 */
export async function compileTypeScript(
  file: string,
  tsconfigRaw: { readonly compilerOptions: Record<string, unknown> } | undefined,
): Promise<string> {
  esbuild ??= require('esbuild') as Esbuild
  const source = await readFile(file, 'utf8')
  const sourcefile = file.endsWith('.mts') ? `${file.slice(0, -3)}ts` : file
  try {
    const out = await esbuild.transform(source, {
      loader: 'ts',
      format: 'esm',
      target: `node${process.versions.node}`,
      sourcefile,
      sourcemap: true,
      sourcesContent: false,
      minifyWhitespace: true,
      keepNames: true,
      ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
    })
    const map = out.map.replace(JSON.stringify(sourcefile), JSON.stringify(file))
    // Written in two parts so that this file holds no source-map comment of its own.
    const comment = '//# sourceMapping'
    return `${out.code}\n${comment}URL=data:application/json;base64,${Buffer.from(map).toString('base64')}`
  } catch (cause) {
    // esbuild's error, as tsx reports it: the message, without the lists of errors and warnings.
    const err = new Error(cause instanceof Error ? cause.message : String(cause))
    err.name = 'TransformError'
    throw err
  }
}
