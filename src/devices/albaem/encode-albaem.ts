const utf8 = new TextEncoder()

function part(fields: Readonly<Record<string, unknown>>): Uint8Array[] {
  return [utf8.encode(JSON.stringify(fields))]
}

/** Builds an AlbaEM `series-start` message. */
export function encodeAlbaemStart(input: { readonly messageId: number }): Uint8Array[] {
  return part({ version: 1, message_type: 'series-start', message_id: input.messageId })
}

/** Input of `encodeAlbaemData`. */
export interface AlbaemDataInput {
  readonly messageId: number
  readonly frameNumber: number
  /** Seconds since the acquisition started. */
  readonly timestamp: number
  /** Nanoseconds since the Unix epoch. */
  readonly acquisitionTimestampNs: number
  /** Currents in ampere, sent as `channel1`, `channel2`, … (or per {@link naming}). */
  readonly currents: ArrayLike<number>
  /**
   * How the channel fields are named: `channel1` (`channel1` … `channelN`, the default, as the
   * MAX IV streamer sends) or `channel_0` (`channel_0` … `channel_<N-1>`, the other scheme).
   */
  readonly naming?: AlbaemChannelNaming
}

/** The two channel naming schemes of AlbaEM data messages. */
export type AlbaemChannelNaming = 'channel1' | 'channel_0'

/** Builds an AlbaEM `data` message with the currents as `channel1` … `channelN` (or `channel_0` …). */
export function encodeAlbaemData(input: AlbaemDataInput): Uint8Array[] {
  const name = (i: number) => (input.naming === 'channel_0' ? `channel_${i}` : `channel${i + 1}`)
  const channels = Object.fromEntries(Array.from(input.currents, (c, i) => [name(i), c]))
  return part({
    version: 1,
    message_type: 'data',
    message_id: input.messageId,
    frame_number: input.frameNumber,
    timestamp: input.timestamp,
    acquisition_timestamp: input.acquisitionTimestampNs,
    ...channels,
  })
}

/** Builds an AlbaEM `series-end` message with the device's overflow flags. */
export function encodeAlbaemEnd(input: {
  readonly messageId: number
  readonly readOverflow?: boolean
  readonly memoryOverflow?: boolean
}): Uint8Array[] {
  return part({
    version: 1,
    message_type: 'series-end',
    message_id: input.messageId,
    detector_specific: {
      read_overflow: input.readOverflow ?? false,
      memory_overflow: input.memoryOverflow ?? false,
    },
  })
}
