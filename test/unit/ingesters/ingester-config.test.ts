import { describe, expect, it } from 'vitest'
import { ingesterName, parseIngesterEnv } from '../../../ingesters/base/ingester-config.js'

describe('parseIngesterEnv', () => {
  it('applies the defaults', () => {
    const { config, upstreamUrl } = parseIngesterEnv({
      INGESTER_STREAMS: 'eiger',
      INGESTER_UPSTREAM_URL: 'tcp://det:9999',
    })
    expect(upstreamUrl).toBe('tcp://det:9999')
    expect(config).toMatchObject({
      streams: ['eiger'],
      bind: 'tcp://127.0.0.1:*',
      bufferBytes: 512 * 1024 * 1024,
      batchEvents: 64,
      heartbeatMs: 1000,
      deviceReceive: 'zmtp',
      frameSlabBytes: 16 * 1024 * 1024,
    })
    expect(ingesterName(config)).toBe('eiger-ingester')
  })

  it('reads every variable', () => {
    const { config } = parseIngesterEnv({
      INGESTER_NAME: 'det',
      INGESTER_STREAMS: 'a, b',
      INGESTER_BIND: 'tcp://*:5000',
      INGESTER_ADVERTISE_HOST: 'node1',
      INGESTER_BUFFER_BYTES: '1024',
      INGESTER_DUMP_DIR: '/data',
      INGESTER_DUMP_PATH: 'all.cbors',
      INGESTER_HELLO_TIMEOUT_MS: '100',
      INGESTER_DEVICE_RECEIVE: 'zeromq',
      INGESTER_FRAME_SLAB_BYTES: '65536',
      HEARTBEAT_MS: '250',
    })
    expect(config).toMatchObject({
      name: 'det',
      streams: ['a', 'b'],
      bind: 'tcp://*:5000',
      advertiseHost: 'node1',
      bufferBytes: 1024,
      dumpDir: '/data',
      dumpPath: 'all.cbors',
      helloTimeoutMs: 100,
      deviceReceive: 'zeromq',
      frameSlabBytes: 65536,
      heartbeatMs: 250,
    })
  })

  it('names each bad variable', () => {
    expect(() => parseIngesterEnv({})).toThrow(/INGESTER_STREAMS/)
    expect(() => parseIngesterEnv({ INGESTER_STREAMS: 'a', INGESTER_BUFFER_BYTES: '-1' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => parseIngesterEnv({ INGESTER_STREAMS: ' , ' })).toThrow(/INGESTER_STREAMS/)
    expect(() =>
      parseIngesterEnv({ INGESTER_STREAMS: 'a', INGESTER_DEVICE_RECEIVE: 'zmq' }),
    ).toThrow(/INGESTER_DEVICE_RECEIVE/)
    expect(() =>
      parseIngesterEnv({ INGESTER_STREAMS: 'a', INGESTER_FRAME_SLAB_BYTES: '100' }),
    ).toThrow(/INGESTER_FRAME_SLAB_BYTES/)
  })
})
