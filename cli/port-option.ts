import { Option } from 'commander'
import { port } from './validators.js'

/**
 * `-p <port>`, hidden: the old short form of `--port` on the commands that serve HTTP
 * (controller, reducer, autoscaler). `-p` means `--parameters` on `up` and `replay`, as in
 * Dranspose's replay; here it still works, with a deprecation note ({@link portFlag}).
 */
export function deprecatedPortOption(): Option {
  return new Option('-p <port>', 'deprecated: use --port').argParser(port).hideHelp()
}

/**
 * The port given as `--port` or, deprecated, `-p` (`--port` wins), and the deprecation note
 * to log when `-p` was used.
 */
export function portFlag(flags: { readonly port?: number; readonly p?: number }): {
  readonly port: number | undefined
  readonly notes: readonly string[]
} {
  if (flags.p === undefined) return { port: flags.port, notes: [] }
  const wins = flags.port === undefined ? '' : '; --port wins'
  return {
    port: flags.port ?? flags.p,
    notes: [
      `-p ${flags.p} is deprecated for the port: use --port (-p means --parameters in up and replay)${wins}`,
    ],
  }
}
