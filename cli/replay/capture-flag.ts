import { ConfigError } from '../../src/analysis-runtime.js'

/** A raw capture to replay as one stream: `--capture <stream>:<protocol>:<file>`. */
export interface CaptureSource {
  readonly stream: string
  /** A device of the registry (`stins`, `xspress3`, `albaem`, …): how to group and label. */
  readonly protocol: string
  readonly file: string
}

/**
 * Split `--capture xsp3:xspress3:/data/xspress3-dump.cbors` (the file may contain colons),
 * without checking the protocol against the device registry (`checkCaptureProtocol` in
 * `read-capture.ts` does, loading the devices only when a capture is replayed).
 * @throws ConfigError for a missing part.
 */
export function parseCaptureSyntax(text: string): CaptureSource {
  const first = text.indexOf(':')
  const second = first < 0 ? -1 : text.indexOf(':', first + 1)
  if (first <= 0 || second <= first + 1 || second === text.length - 1) {
    throw new ConfigError(`--capture '${text}': expected <stream>:<protocol>:<file>`)
  }
  return {
    stream: text.slice(0, first),
    protocol: text.slice(first + 1, second),
    file: text.slice(second + 1),
  }
}
