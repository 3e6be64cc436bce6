import type { Socket } from 'zeromq'
import { ConfigError } from '../errors.js'

/** Where data-plane sockets bind by default: loopback, a port chosen by the system. */
export const DEFAULT_BIND_ADDRESS = 'tcp://127.0.0.1:*'

/**
 * Bind `socket` to `address` (`tcp://host:port`, port `*` or `0` for an ephemeral one) and
 * return the endpoint actually bound, with the real port, read back from the socket.
 * @throws ConfigError `CONFIG_INVALID` when the address is malformed or cannot be bound (for
 * example, the port is in use).
 */
export async function bindEndpoint(socket: Socket, address: string): Promise<string> {
  try {
    await socket.bind(address)
  } catch (cause) {
    throw new ConfigError(`cannot bind ${address}: ${String(cause)}`, { cause })
  }
  const endpoint = socket.lastEndpoint
  if (endpoint === null) throw new ConfigError(`bound ${address} but zmq reports no endpoint`)
  return endpoint
}

/**
 * Connect `socket` to `address`. zmq connects in the background and reconnects after losses;
 * this only checks the address.
 * @throws ConfigError `CONFIG_INVALID` when the address is malformed.
 */
export function connectEndpoint(socket: Socket, address: string): void {
  try {
    socket.connect(address)
  } catch (cause) {
    throw new ConfigError(`cannot connect to ${address}: ${String(cause)}`, { cause })
  }
}
