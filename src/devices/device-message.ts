/**
 * The shape every device parser's output shares: a discriminated union on `kind`. Every
 * protocol has `start` (a series or scan begins; headers), `data` (one frame or point) and
 * `end` (the series ends); a protocol may add its own kinds, such as Contrast's `heartbeat`.
 *
 * ```ts
 * type ContrastMessage = ContrastHeartbeat | ContrastStart | ContrastData | ContrastEnd
 * // each member extends DeviceMessage<'heartbeat' | 'start' | 'data' | 'end'>
 * ```
 */

/** The kinds every protocol has. */
export type CommonMessageKind = 'start' | 'data' | 'end'

/** Base of every parsed device message; `K` lists the kinds a protocol produces. */
export interface DeviceMessage<K extends string = CommonMessageKind> {
  readonly kind: K
}

/**
 * Guard: is `message` of the given kind? Narrows a protocol's union to that member.
 *
 * ```ts
 * if (isMessageKind(msg, 'data')) use(msg.spectra)
 * ```
 */
export function isMessageKind<M extends DeviceMessage<string>, K extends M['kind']>(
  message: M,
  kind: K,
): message is Extract<M, { readonly kind: K }> {
  return message.kind === kind
}
