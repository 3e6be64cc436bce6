import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoPath } from '../harness/fixtures.js'

// The engine's and the roles' modules import each other without a circle (issue 18): a circle
// makes the order modules initialise in depend on which one is imported first. Type-only
// imports count too. Example analyses are the users' code and are left out.

const ROOTS = ['src', 'workers', 'reducer', 'ingesters', 'autoscaler', 'cli']
const IMPORT = /^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gms

function modules(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'examples') walk(path)
      } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) files.push(path)
    }
  }
  for (const root of ROOTS) walk(repoPath(root))
  return files
}

function importsOf(file: string): string[] {
  const out: string[] = []
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const target = join(dirname(file), m[1]!).replace(/\.js$/, '.ts')
    if (existsSync(target)) out.push(target)
  }
  return out
}

/** Every circle found by a depth-first walk, as repository paths. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>()
  const found: string[][] = []
  const visit = (file: string, stack: string[]): void => {
    state.set(file, 'open')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next])
      else if (!state.has(next)) visit(next, stack)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [])
  return found.map((c) => c.map((f) => relative(repoPath('.'), f)))
}

describe('the import graph', () => {
  it('has no circle', () => {
    const files = modules()
    expect(files.length).toBeGreaterThan(300)
    expect(circles(new Map(files.map((f) => [f, importsOf(f)])))).toEqual([])
  })

  it('finds a circle when there is one (the check can fail)', () => {
    const graph = new Map([
      ['/r/a.ts', ['/r/b.ts']],
      ['/r/b.ts', ['/r/a.ts']],
    ])
    expect(circles(graph)).toHaveLength(1)
  })
})
