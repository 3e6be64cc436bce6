import { ConfigError } from '../../src/internal.js'

/** The PandABox data port's default TCP port. */
export const PCAP_DATA_PORT = 8889

/** Capture options the ingester can read: the others change the stream into forms it cannot follow. */
const READABLE = new Set([
  'ASCII',
  'FRAMED',
  'UNFRAMED',
  'SCALED',
  'UNSCALED',
  'RAW',
  'ONE_SHOT',
  'DEFAULT',
])
const UNREADABLE: Readonly<Record<string, string>> = {
  BASE64: 'Base64 data is not decoded; use ASCII or FRAMED',
  XML: 'the XML header is not read; use the text header (leave XML out)',
  NO_HEADER: 'without the header the samples cannot be decoded',
  NO_STATUS: 'without the OK and END lines the end of an acquisition cannot be seen',
  BARE: 'BARE means NO_HEADER NO_STATUS ONE_SHOT UNFRAMED, which cannot be followed',
}

/** Options of the PandABox TCP upstream (see {@link parsePcapTcpUrl}). */
export interface PcapTcpUpstreamOptions {
  /** `tcp://host:port` of the data port (port 8889 when left out). */
  readonly url: string
  readonly host: string
  readonly port: number
  /**
   * The capture options line sent on connecting, without its newline: `''` (the default, as
   * Dranspose sends: ASCII, SCALED) or tokens of ASCII|FRAMED|UNFRAMED and SCALED|UNSCALED|RAW.
   */
  readonly captureOptions: string
  /**
   * `first` (default, as Dranspose): the header travels once, in the start event, and each
   * sample event is `[sample]`. `each`: every sample event is `[header, sample]`, so each
   * event parses on its own (a worker that joined late, or a re-routed event, needs no start).
   */
  readonly header: 'first' | 'each'
  /**
   * How long the ingester keeps trying to (re)connect before the acquisition started, ms.
   * Default 2000. A connection dropped during an acquisition is lost at once: PandABox cannot
   * resend what it sent meanwhile.
   */
  readonly lostAfterMs: number
}

/**
 * Check a capture options line (space-separated PandABox options).
 * @throws ConfigError naming an unknown option or one the ingester cannot follow.
 */
export function checkCaptureOptions(line: string): string {
  const tokens = line
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '')
  for (const token of tokens) {
    const upper = token.toUpperCase()
    const why = UNREADABLE[upper]
    if (why !== undefined) throw new ConfigError(`PandABox capture option ${upper}: ${why}`)
    if (!READABLE.has(upper)) {
      throw new ConfigError(
        `unknown PandABox capture option '${token}' (known: ${[...READABLE].join(', ')})`,
      )
    }
  }
  return tokens.map((t) => t.toUpperCase()).join(' ')
}

function header(value: string | null): 'first' | 'each' {
  if (value === null || value === 'first') return 'first'
  if (value === 'each') return 'each'
  throw new ConfigError(`PandABox header=${value}: expected first or each`)
}

/**
 * Read the upstream address of a PandABox data port: `tcp://host[:port][?options=FRAMED+SCALED
 * &header=each&lostAfterMs=2000]`. Query parameters set the options not given in `overrides`.
 * @throws ConfigError for another scheme, a bad port, an unknown query key or a bad value.
 */
export function parsePcapTcpUrl(
  url: string,
  overrides: Partial<
    Pick<PcapTcpUpstreamOptions, 'captureOptions' | 'header' | 'lostAfterMs'>
  > = {},
): PcapTcpUpstreamOptions {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (cause) {
    throw new ConfigError(`PandABox address '${url}' is not a URL (tcp://host:8889)`, { cause })
  }
  if (parsed.protocol !== 'tcp:') {
    throw new ConfigError(`PandABox address '${url}': expected tcp://host:port`)
  }
  const port = parsed.port === '' ? PCAP_DATA_PORT : Number(parsed.port)
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new ConfigError(`PandABox address '${url}' has no host`)
  for (const key of parsed.searchParams.keys()) {
    if (!['options', 'header', 'lostAfterMs'].includes(key)) {
      throw new ConfigError(
        `PandABox address '${url}': unknown parameter '${key}' (options, header, lostAfterMs)`,
      )
    }
  }
  const lostText = parsed.searchParams.get('lostAfterMs')
  const lostAfterMs = overrides.lostAfterMs ?? (lostText === null ? 2000 : Number(lostText))
  if (!Number.isInteger(lostAfterMs) || lostAfterMs < 0) {
    throw new ConfigError(`PandABox lostAfterMs=${lostText}: expected a whole number of ms ≥ 0`)
  }
  return {
    url: `tcp://${parsed.hostname}:${port}`,
    host,
    port,
    captureOptions: checkCaptureOptions(
      overrides.captureOptions ?? parsed.searchParams.get('options') ?? '',
    ),
    header: overrides.header ?? header(parsed.searchParams.get('header')),
    lostAfterMs,
  }
}
