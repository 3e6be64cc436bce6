import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** A TCP proxy to Redis that a test can cut (connections only, or the listener too). */
export interface TcpProxy {
  readonly port: number
  /** Drop every open connection; new ones are still accepted. */
  dropConnections(): void
  /** Drop every connection and stop listening (the server is "gone"). */
  close(): Promise<void>
}

/** Start a proxy on 127.0.0.1, random port, forwarding to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    // Resets are expected when the test cuts connections.
    s.on('error', () => {})
  }
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host, port })
    track(client)
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('proxy has no port')
  const dropConnections = () => {
    for (const s of sockets) s.destroy()
  }
  return {
    port: address.port,
    dropConnections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        dropConnections()
      }),
  }
}

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}
