import { z } from 'zod'

/**
 * JSON messages of the PandABox zmq publisher (MAX IV's PCAP Tango device): one JSON part
 * each. Data messages carry one array per captured column; unknown fields pass through.
 */

const Base = { message_id: z.number().int(), version: z.literal(1) }

/** `message_type: series-start`, with the arm time (ISO 8601). */
export const PcapZmqStartJson = z.looseObject({
  ...Base,
  message_type: z.literal('series-start'),
  arm_time: z.string(),
})
export type PcapZmqStartJson = z.infer<typeof PcapZmqStartJson>

/** `message_type: data`: columns as arrays (a batch) or scalars (one row); `frame_number` of the first row. */
export const PcapZmqDataJson = z.looseObject({
  ...Base,
  message_type: z.literal('data'),
  frame_number: z.number().int().nonnegative(),
})
export type PcapZmqDataJson = z.infer<typeof PcapZmqDataJson>

/** `message_type: series-end`. */
export const PcapZmqEndJson = z.looseObject({ ...Base, message_type: z.literal('series-end') })
export type PcapZmqEndJson = z.infer<typeof PcapZmqEndJson>

/** Any message of the zmq variant, discriminated on `message_type`. */
export const PcapZmqJson = z.discriminatedUnion('message_type', [
  PcapZmqStartJson,
  PcapZmqDataJson,
  PcapZmqEndJson,
])
export type PcapZmqJson = z.infer<typeof PcapZmqJson>

/** Fields of a data message that are not columns. */
export const PCAP_ZMQ_PROTOCOL_FIELDS: ReadonlySet<string> = new Set([
  'message_id',
  'version',
  'message_type',
  'frame_number',
])
