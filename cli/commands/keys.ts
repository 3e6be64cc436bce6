import { writeFileSync } from 'node:fs'
import { Command } from 'commander'
import { formatCurveKeyFile, generateCurveKeys } from '../../src/internal.js'

/**
 * `beamloom keys [--out <file>]`: make a data-plane key (a ZeroMQ CURVE certificate with a fresh
 * key pair) for `DATA_PLANE_KEY_FILE`. Written to `--out` (created readable by its owner only,
 * never overwritten) or printed. Every ingester, worker and reducer of a deployment reads the
 * same file (docs/security.md).
 */
export function keysCommand(): Command {
  return new Command('keys')
    .description('make a data-plane CURVE key file (for DATA_PLANE_KEY_FILE)')
    .option('-o, --out <file>', 'write it to this new file (mode 0600) instead of stdout')
    .action((opts: { out?: string }) => {
      const text = formatCurveKeyFile(generateCurveKeys())
      if (opts.out === undefined) process.stdout.write(text)
      else writeFileSync(opts.out, text, { mode: 0o600, flag: 'wx' })
    })
}
