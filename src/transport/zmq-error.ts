/**
 * The errno name (`EAGAIN`, `EHOSTUNREACH`, `EBADF`, …) of an error thrown by `zeromq`, or
 * `undefined` for anything else. zeromq v6 rejects with plain `Error`s carrying `code`.
 */
export function zmqErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined
  return typeof err.code === 'string' ? err.code : undefined
}
