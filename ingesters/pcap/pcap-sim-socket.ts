import type { Socket } from 'node:net'
import { ConfigError } from '../../src/internal.js'

/** `tcp://host:port` (port `*` → 0, ephemeral) of a simulator's listen address. */
export function hostPort(bind: string): { host: string; port: number } {
  const match = /^tcp:\/\/(.+):(\*|\d+)$/.exec(bind)
  if (match === null)
    throw new ConfigError(`PandABox simulator bind '${bind}': expected tcp://host:port`)
  return {
    host: match[1]!.replace(/^\[(.*)\]$/, '$1'),
    port: match[2] === '*' ? 0 : Number(match[2]),
  }
}

/** Write and wait while the socket's buffer is full; false when the socket is gone or `signal` aborted. */
export function send(socket: Socket, bytes: Uint8Array, signal: AbortSignal): Promise<boolean> {
  if (socket.destroyed || signal.aborted) return Promise.resolve(false)
  if (socket.write(bytes)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      socket.off('drain', onDrain)
      socket.off('close', onClose)
      signal.removeEventListener('abort', onClose)
      resolve(ok)
    }
    const onDrain = done(true)
    const onClose = done(false)
    socket.on('drain', onDrain)
    socket.on('close', onClose)
    signal.addEventListener('abort', onClose, { once: true })
  })
}

/** The first line the client sends (its capture options); undefined when it closes first. */
export function readOptionsLine(socket: Socket, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    let text = ''
    const onClose = (): void => {
      socket.off('data', onData)
      signal.removeEventListener('abort', onClose)
      resolve(undefined)
    }
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1')
      const newline = text.indexOf('\n')
      if (newline < 0 && text.length < 4096) return
      socket.off('data', onData)
      socket.off('close', onClose)
      signal.removeEventListener('abort', onClose)
      // PandA ignores what the client sends after the options line.
      socket.on('data', () => {})
      resolve(newline < 0 ? undefined : text.slice(0, newline).replace(/\r$/, ''))
    }
    socket.on('data', onData)
    socket.once('close', onClose)
    signal.addEventListener('abort', onClose, { once: true })
  })
}
