// `prepare` hook: compile with tsc unless dist/ is newer than every source file. npm runs
// `prepare` on `npm ci` and again when `npx beamloom` links this checkout; the second time
// there is nothing to do.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const stamp = join(root, 'dist', '.build-stamp')
const roots = ['src', 'cli', 'ingesters', 'workers', 'reducer', 'bench']
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json']

function newest(dir) {
  let t = 0
  if (!existsSync(dir)) return t
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) t = Math.max(t, newest(p))
    else if (entry.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

const sources = Math.max(
  ...roots.map((r) => newest(join(root, r))),
  ...configs.map((c) => statSync(join(root, c)).mtimeMs),
)
if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources && process.argv[2] !== '--force') {
  process.exit(0)
}
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  { stdio: 'inherit' },
)
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
writeFileSync(stamp, '')
