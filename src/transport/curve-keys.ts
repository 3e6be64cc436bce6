import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { ConfigError } from '../errors.js'

/**
 * The data plane's CURVE key pair, Z85-encoded (40 characters each), as zeromq takes them. One
 * pair per deployment: ingesters and the reducer serve with it, workers connect with it as both
 * the server's key and their own, and servers admit only clients that prove they hold it
 * (see `acquireZapHandler`). Whoever lacks the secret can neither connect nor send.
 */
export const CurveKeys = z
  .object({ publicKey: z.string().length(40), secretKey: z.string().length(40) })
  .readonly()
export type CurveKeys = z.infer<typeof CurveKeys>

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#'
const Z85_VALUE = new Map([...Z85].map((c, i) => [c, i]))

/** Z85-encode (ZeroMQ RFC 32) bytes whose length is a multiple of 4 (pure). */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new ConfigError('z85: length must be a multiple of 4')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let out = ''
  for (let i = 0; i < bytes.length; i += 4) {
    let value = view.getUint32(i)
    let chunk = ''
    for (let j = 0; j < 5; j++) {
      chunk = Z85[value % 85] + chunk
      value = Math.floor(value / 85)
    }
    out += chunk
  }
  return out
}

/**
 * Decode Z85 text (length a multiple of 5) to bytes (pure).
 * @throws ConfigError `CONFIG_INVALID` for a bad length or character.
 */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new ConfigError('z85: length must be a multiple of 5')
  const out = new Uint8Array((text.length / 5) * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < text.length; i += 5) {
    let value = 0
    for (let j = 0; j < 5; j++) {
      const digit = Z85_VALUE.get(text[i + j] ?? '')
      if (digit === undefined) throw new ConfigError('z85: invalid character')
      value = value * 85 + digit
    }
    if (value > 0xffff_ffff) throw new ConfigError('z85: value out of range')
    view.setUint32((i / 5) * 4, value)
  }
  return out
}

/** DER prefix of a PKCS #8 X25519 private key; the 32 secret bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')

/**
 * The key pair of a 32-byte CURVE secret: the public key is X25519(secret, 9), as libzmq
 * computes it (pure).
 * @throws ConfigError `CONFIG_INVALID` when `secret` is not 32 bytes.
 */
export function curveKeysFromSecret(secret: Uint8Array): CurveKeys {
  if (secret.length !== 32) throw new ConfigError('a CURVE secret key is 32 bytes')
  const key = createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  })
  const jwk = createPublicKey(key).export({ format: 'jwk' })
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url')
  return { publicKey: z85Encode(publicKey), secretKey: z85Encode(secret) }
}

/** A fresh random key pair (for `beamloom keys` and tests). */
export function generateCurveKeys(): CurveKeys {
  return curveKeysFromSecret(randomBytes(32))
}

/**
 * The 32-byte secret in a key file's text (pure). Accepted forms: a ZeroMQ certificate
 * (`secret-key = "<z85>"`, as czmq's `zcert` writes), 40 characters of Z85, 64 hex digits, or
 * 32 bytes in base64 (what a Kubernetes Secret made with `randBytes 32` holds). Surrounding
 * blank space is ignored.
 * @throws ConfigError `CONFIG_INVALID` for anything else (never echoing the text).
 */
export function parseCurveSecret(text: string): Uint8Array {
  const cert = /^\s*secret-key\s*=\s*"([^"]{40})"\s*$/m.exec(text)
  const value = (cert?.[1] ?? text).trim()
  if (value.length === 40 && [...value].every((c) => Z85_VALUE.has(c))) return z85Decode(value)
  if (/^[0-9a-fA-F]{64}$/.test(value)) return new Uint8Array(Buffer.from(value, 'hex'))
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return new Uint8Array(Buffer.from(value, 'base64'))
  throw new ConfigError(
    'the data-plane key file holds no CURVE secret key (a zcert secret-key line, 40 Z85 characters, 64 hex digits or 32 bytes in base64)',
  )
}

/**
 * Read the key pair from a key file (`DATA_PLANE_KEY_FILE`; a mounted Kubernetes Secret key
 * works as is). Read once, at start-up: rotating means replacing the file and restarting.
 * @throws ConfigError `CONFIG_INVALID` when the file cannot be read or holds no key.
 */
export function loadCurveKeys(path: string): CurveKeys {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new ConfigError(`cannot read the data-plane key file ${path}: ${String(cause)}`, {
      cause,
    })
  }
  return curveKeysFromSecret(parseCurveSecret(text))
}

/** A key file's text for `keys` (a ZeroMQ certificate, readable by czmq and beamloom). */
export function formatCurveKeyFile(keys: CurveKeys): string {
  return [
    '#   ZeroMQ CURVE **Secret** Certificate (beamloom data plane)',
    '#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.',
    '',
    'metadata',
    'curve',
    `    public-key = "${keys.publicKey}"`,
    `    secret-key = "${keys.secretKey}"`,
    '',
  ].join('\n')
}
