/** CBOR tag numbers of Dranspose's `.cbors` recordings. */
export const RECORDING_TAGS = {
  /** RFC 8949 self-described CBOR; wraps every record. */
  selfDescribe: 55799,
  /** A worker message: `[event_number, {stream: StreamData}, created_at?]`. */
  workerMessage: 42877,
  /** One stream's data: `[typ, [frame, …]]`. */
  streamData: 42878,
  /** RFC 3339 date/time string (how cbor2 writes `created_at`). */
  dateTimeString: 0,
} as const
