import { randomUUID } from 'node:crypto'
import { access, constants } from 'node:fs/promises'
import type { DeviceSimulator, Upstream } from '../../ingesters/index.js'
import { DEVICES, deviceType } from '../../ingesters/index.js'
import {
  ConfigError,
  eventNumber,
  isBeamloomError,
  ScanId,
  streamName,
  type WorkerMessage,
} from '../../src/internal.js'
import { type CaptureSource, parseCaptureSyntax } from './capture-flag.js'

export type { CaptureSource } from './capture-flag.js'

/**
 * Parse `--capture xsp3:xspress3:/data/xspress3-dump.cbors` (the file may contain colons).
 * @throws ConfigError for a missing part or a protocol that is not a registered device.
 */
export function parseCaptureFlag(text: string): CaptureSource {
  return checkCaptureProtocol(parseCaptureSyntax(text))
}

/**
 * `source` if its protocol is a registered device. @throws ConfigError naming the known ones.
 */
export function checkCaptureProtocol(source: CaptureSource): CaptureSource {
  if (!DEVICES.has(source.protocol)) {
    const text = `${source.stream}:${source.protocol}:${source.file}`
    throw new ConfigError(
      `--capture '${text}': unknown protocol '${source.protocol}' (known: ${[...DEVICES.keys()].join(', ')})`,
    )
  }
  return source
}

/** Options of {@link readCapture}. */
export interface ReadCaptureOptions {
  /** A message the device's upstream skipped as invalid (also counted by a live ingester). */
  readonly onInvalid?: (stream: string, reason: string) => void
}

/**
 * A raw capture as a recording of one stream: message `n` of the device's event framing
 * becomes event `n` (from 0), with the `typ` the device's ingester gives it. The framing is
 * the device's own, not a copy of it: the capture is played by the device's simulator into
 * the device's upstream over loopback sockets, exactly as `beamloom up` would, so what the
 * ingester joins (Xspress3's three-message frames, LeCroy sequences, PandA rows) or skips
 * (left-overs before the series' start, unreadable messages) is joined or skipped here too.
 * Ends when the upstream says the series ended (or the device went quiet for good: a capture
 * without an end message ends ~2 s after its last message).
 *
 * Rejects with `CONFIG_INVALID` for a device that cannot replay captures (Sardana posts to
 * its ingester) or a file that cannot be read, and with `RECORDING_CORRUPT` /
 * `RECORDING_TRUNCATED` for a capture that is not a well-formed raw capture.
 */
export async function* readCapture(
  source: CaptureSource,
  options: ReadCaptureOptions = {},
): AsyncGenerator<WorkerMessage> {
  const device = deviceType(source.protocol)
  if (device.binds !== 'device') {
    throw new ConfigError(
      `--capture ${source.stream}:${source.protocol}: ${source.protocol} sends to its ingester; it has no raw captures to replay`,
    )
  }
  try {
    await access(source.file, constants.R_OK)
  } catch (cause) {
    throw new ConfigError(
      `--capture ${source.stream}:${source.protocol}: cannot read ${source.file}: ${(cause as Error).message}`,
      { cause },
    )
  }
  const simulator: DeviceSimulator = device.simulator({
    bind: 'tcp://127.0.0.1:*',
    frames: 0,
    rateHz: 0,
    capture: source.file,
    options: {},
  })
  let upstream: Upstream | undefined
  const controller = new AbortController()
  // A simulator that cannot read its capture closes with the reason: stop waiting then.
  void simulator.closed.then((err) => {
    if (err !== undefined) controller.abort(err)
  })
  try {
    await simulator.start()
    const stream = streamName(source.stream)
    const factory = device.upstream(simulator.endpoint)
    upstream = factory.create({
      scanId: ScanId.parse(randomUUID()),
      streams: [stream],
      logger: quietLogger,
      onInvalid: (s, reason) => options.onInvalid?.(s, reason),
    })
    await upstream.start()
    // Once everything is sent, close gracefully: zmq delivers what is queued, then the
    // disconnect tells the upstream the device is gone (for captures without an end).
    void simulator.done.then(() => simulator.close())
    const typ = factory.typOf(stream)
    for (let n = 0; ; n++) {
      let frames: readonly Uint8Array[]
      try {
        frames = (await upstream.next(stream, controller.signal)).parts
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason
        if (isBeamloomError(err, 'UPSTREAM_CLOSED')) return
        throw err
      }
      yield { eventNumber: eventNumber(n), streams: { [source.stream]: { typ, frames } } }
    }
  } finally {
    controller.abort()
    await upstream?.close()
    await simulator.close({ force: true })
  }
}

const quietLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
