import { Reply } from 'zeromq'
import { z85Encode } from './curve-keys.js'

/** Where libzmq asks for ZAP (ZeroMQ RFC 27) decisions, per zmq context. */
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01'

interface ZapState {
  readonly socket: Reply
  /** Admitted client public keys (Z85) → how many servers admit them. */
  readonly allowed: Map<string, number>
  readonly loop: Promise<void>
}

let state: ZapState | undefined
/** Serialises acquire and release (binding and closing the one handler socket). */
let chain: Promise<unknown> = Promise.resolve()
let admitted = 0
let refused = 0

/** CURVE handshakes the process's ZAP handler admitted and refused so far. */
export function zapStats(): { readonly admitted: number; readonly refused: number } {
  return { admitted, refused }
}

async function serve(socket: Reply, allowed: ReadonlyMap<string, number>): Promise<void> {
  for await (const frames of socket) {
    // version, request id, domain, address, identity, mechanism, credentials…
    const [version, requestId, , , , mechanism, credential] = frames
    const key =
      mechanism?.toString() === 'CURVE' && credential?.length === 32
        ? z85Encode(credential)
        : undefined
    const ok = key !== undefined && allowed.has(key)
    if (ok) admitted++
    else refused++
    await socket.send([
      version ?? '1.0',
      requestId ?? '',
      ok ? '200' : '400',
      ok ? 'OK' : 'client key not admitted',
      '',
      '',
    ])
  }
}

/**
 * Bind the ZAP endpoint, retrying for up to a second while a handler that was just closed still
 * holds it (libzmq frees inproc endpoints in the background).
 */
async function bindZap(socket: Reply): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await socket.bind(ZAP_ENDPOINT)
      return
    } catch (err) {
      const inUse = (err as { code?: string }).code === 'EADDRINUSE'
      if (!inUse || attempt >= 50) {
        socket.close()
        throw err
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/**
 * Admit CURVE clients holding `publicKey` on every CURVE server socket of this process: binds
 * the process's one ZAP handler (on zeromq's default context) on first use and counts users.
 * Without a handler libzmq admits any client that knows the server's public key; with it, a
 * client must also prove it holds an admitted key pair. Resolves a release function (closing
 * the handler after the last release); neither rejects once bound.
 */
export function acquireZapHandler(publicKey: string): Promise<() => Promise<void>> {
  const acquired = chain.then(async () => {
    if (state === undefined) {
      const socket = new Reply({ linger: 0 })
      await bindZap(socket)
      const allowed = new Map<string, number>()
      // The loop ends when the socket closes; a failed send ends it too (libzmq then admits
      // nobody, as a handler that does not answer keeps handshakes waiting).
      const loop = serve(socket, allowed).catch(() => undefined)
      state = { socket, allowed, loop }
    }
    const current = state
    current.allowed.set(publicKey, (current.allowed.get(publicKey) ?? 0) + 1)
    let released = false
    return async (): Promise<void> => {
      if (released) return
      released = true
      const release = chain.then(async () => {
        const n = (current.allowed.get(publicKey) ?? 1) - 1
        if (n > 0) current.allowed.set(publicKey, n)
        else current.allowed.delete(publicKey)
        if (current.allowed.size === 0 && state === current) {
          state = undefined
          // Unbind first: it resolves once the endpoint is free, so the next acquire can bind.
          await current.socket.unbind(ZAP_ENDPOINT).catch(() => undefined)
          current.socket.close()
          await current.loop
        }
      })
      chain = release
      await release
    }
  })
  chain = acquired.catch(() => undefined)
  return acquired
}
