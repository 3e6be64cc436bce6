import { connect, type Socket } from 'node:net'

/**
 * Open a TCP connection to `host:port`. Resolves with the connected socket; rejects with the
 * socket error, or with `signal.reason` when `signal` aborts first (the socket is destroyed).
 */
export function connectTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const socket = connect({ host, port })
    const onAbort = (): void => {
      socket.destroy()
      reject(signal.reason)
    }
    const onError = (err: Error): void => {
      signal.removeEventListener('abort', onAbort)
      socket.destroy()
      reject(err)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.off('error', onError)
      resolve(socket)
    })
  })
}

/** The number of space-separated values on an ASCII sample line, counted on the bytes. */
export function countValues(line: Uint8Array): number {
  let count = 0
  let inValue = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    const space = c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
    if (!space && !inValue) count++
    inValue = !space
  }
  return count
}
