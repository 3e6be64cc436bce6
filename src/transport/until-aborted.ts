/** What {@link untilAborted} resolves with when the signal aborts first. */
export const ABORTED: unique symbol = Symbol('aborted')

/**
 * Wait for `promise`, or stop waiting when `signal` aborts (resolves {@link ABORTED} then).
 * Rejects when `promise` rejects first. A promise left behind by an abort gets a no-op
 * rejection handler: it is a zmq operation that its owner ends by closing the socket.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => {})
    return Promise.resolve(ABORTED)
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      // The socket's close rejects the abandoned operation; nothing is waiting for it.
      promise.catch(() => {})
      resolve(ABORTED)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(err)
      },
    )
  })
}
