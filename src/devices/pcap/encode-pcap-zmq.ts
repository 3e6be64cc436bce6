const utf8 = new TextEncoder()

function part(fields: Readonly<Record<string, unknown>>): Uint8Array[] {
  return [utf8.encode(JSON.stringify(fields))]
}

/** Builds a `series-start` message of the PandABox zmq variant. */
export function encodePcapZmqStart(input: {
  readonly messageId: number
  readonly armTime: string
}): Uint8Array[] {
  return part({
    message_id: input.messageId,
    message_type: 'series-start',
    version: 1,
    arm_time: input.armTime,
  })
}

/**
 * Builds a `data` message: a batch of rows, one JSON array per column (in the given order),
 * `frame_number` being the first row's.
 */
export function encodePcapZmqData(input: {
  readonly messageId: number
  readonly frameNumber: number
  readonly columns: Readonly<Record<string, ArrayLike<number>>>
}): Uint8Array[] {
  const columns = Object.fromEntries(
    Object.entries(input.columns).map(([k, v]) => [k, Array.from(v)]),
  )
  return part({
    message_id: input.messageId,
    message_type: 'data',
    version: 1,
    frame_number: input.frameNumber,
    ...columns,
  })
}

/** Builds a `series-end` message. */
export function encodePcapZmqEnd(input: { readonly messageId: number }): Uint8Array[] {
  return part({ message_id: input.messageId, message_type: 'series-end', version: 1 })
}
