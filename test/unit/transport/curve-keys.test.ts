import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { curveKeyPair } from 'zeromq'
import {
  curveKeysFromSecret,
  formatCurveKeyFile,
  generateCurveKeys,
  loadCurveKeys,
  parseCurveSecret,
  z85Decode,
  z85Encode,
} from '../../../src/transport/curve-keys.js'
import { zmqCurveOptions } from '../../../src/transport/socket-options.js'

describe('CURVE keys', () => {
  it('encodes Z85 as ZeroMQ RFC 32 does, and back', () => {
    const hello = Uint8Array.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])
    expect(z85Encode(hello)).toBe('HelloWorld')
    expect(z85Decode('HelloWorld')).toEqual(hello)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        const padded = bytes.slice(0, bytes.length - (bytes.length % 4))
        expect(z85Decode(z85Encode(padded))).toEqual(padded)
      }),
    )
    expect(() => z85Decode('Hello')).not.toThrow()
    expect(() => z85Decode('Hell')).toThrow(/multiple of 5/)
    expect(() => z85Decode('Hell"')).toThrow(/invalid character/)
  })

  it('derives the public key libzmq pairs with a secret key', () => {
    for (let i = 0; i < 5; i++) {
      const pair = curveKeyPair()
      expect(curveKeysFromSecret(z85Decode(pair.secretKey))).toEqual(pair)
    }
  })

  it('reads a secret from a zcert file, Z85, hex or base64, and refuses anything else', () => {
    const keys = generateCurveKeys()
    const secret = z85Decode(keys.secretKey)
    const forms = [
      formatCurveKeyFile(keys),
      `${keys.secretKey}\n`,
      Buffer.from(secret).toString('hex'),
      `  ${Buffer.from(secret).toString('base64')}\n`,
    ]
    for (const text of forms) expect(parseCurveSecret(text), text).toEqual(secret)
    for (const bad of ['', 'secret', 'x'.repeat(41), Buffer.alloc(31).toString('base64')]) {
      expect(() => parseCurveSecret(bad)).toThrow(/holds no CURVE secret key/)
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          expect(parseCurveSecret(text)).toHaveLength(32)
        } catch (err) {
          expect(err).toMatchObject({ code: 'CONFIG_INVALID' })
        }
      }),
    )
  })

  it('loads a key file and names a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beamloom-keys-'))
    const keys = generateCurveKeys()
    writeFileSync(join(dir, 'data-plane.key'), formatCurveKeyFile(keys))
    expect(loadCurveKeys(join(dir, 'data-plane.key'))).toEqual(keys)
    expect(() => loadCurveKeys(join(dir, 'missing'))).toThrow(/cannot read the data-plane key file/)
  })

  it('makes servers serve with the secret and clients name the server key', () => {
    const keys = generateCurveKeys()
    expect(zmqCurveOptions(undefined, 'server')).toEqual({})
    expect(zmqCurveOptions(keys, 'server')).toEqual({
      curveServer: true,
      curveSecretKey: keys.secretKey,
    })
    expect(zmqCurveOptions(keys, 'client')).toEqual({
      curveServerKey: keys.publicKey,
      curvePublicKey: keys.publicKey,
      curveSecretKey: keys.secretKey,
    })
  })
})
