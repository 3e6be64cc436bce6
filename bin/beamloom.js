#!/usr/bin/env node
// The `beamloom` command. Runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { existsSync, readFileSync } from 'node:fs'

const dist = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(dist)) {
  process.stderr.write('beamloom is not built: run `npm ci` (or `npm run build`) in its checkout\n')
  process.exit(2)
}
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const { main } = await import(dist.href)
await main(process.argv, version)
