import { describe, expect, it } from 'vitest'
import { countValues } from '../../../ingesters/pcap/pcap-tcp-connect.js'
import { checkCaptureOptions, parsePcapTcpUrl } from '../../../ingesters/pcap/pcap-tcp-options.js'
import { parsePcapZmqUrl } from '../../../ingesters/pcap/pcap-zmq-upstream.js'
import { configError } from '../../harness/config-error.js'

describe('PandABox TCP address and capture options', () => {
  it('defaults to port 8889, an empty options line (as Dranspose), the header once, 2 s to connect', () => {
    expect(parsePcapTcpUrl('tcp://panda')).toEqual({
      url: 'tcp://panda:8889',
      host: 'panda',
      port: 8889,
      captureOptions: '',
      header: 'first',
      lostAfterMs: 2000,
    })
  })

  it('reads options, header and lostAfterMs from the query; overrides win', () => {
    const options = parsePcapTcpUrl(
      'tcp://10.0.0.5:9000?options=framed+scaled&header=each&lostAfterMs=50',
    )
    expect(options).toMatchObject({
      url: 'tcp://10.0.0.5:9000',
      port: 9000,
      captureOptions: 'FRAMED SCALED',
      header: 'each',
      lostAfterMs: 50,
    })
    expect(
      parsePcapTcpUrl('tcp://h:1?options=FRAMED', { captureOptions: 'ASCII' }).captureOptions,
    ).toBe('ASCII')
  })

  it('refuses options the ingester cannot follow, naming why', () => {
    expect(configError(() => checkCaptureOptions('XML FRAMED'))).toMatch(
      /XML: the XML header is not read/,
    )
    expect(configError(() => checkCaptureOptions('BASE64'))).toMatch(/Base64 data is not decoded/)
    expect(configError(() => checkCaptureOptions('NO_STATUS'))).toMatch(/end of an acquisition/)
    expect(configError(() => checkCaptureOptions('FAST'))).toMatch(
      /unknown PandABox capture option 'FAST'/,
    )
    expect(checkCaptureOptions(' unframed  raw one_shot ')).toBe('UNFRAMED RAW ONE_SHOT')
  })

  it('refuses other schemes, unknown parameters and bad values', () => {
    expect(configError(() => parsePcapTcpUrl('http://panda:8889'))).toMatch(/expected tcp:/)
    expect(configError(() => parsePcapTcpUrl('tcp://panda?format=framed'))).toMatch(
      /unknown parameter 'format'/,
    )
    expect(configError(() => parsePcapTcpUrl('tcp://panda?header=always'))).toMatch(/header=always/)
    expect(configError(() => parsePcapTcpUrl('tcp://panda?lostAfterMs=-1'))).toMatch(/lostAfterMs/)
  })

  it('counts the values of an ASCII sample line on its bytes', () => {
    const line = (s: string) => new TextEncoder().encode(s)
    expect(countValues(line(' 301989857 0 0 0.32175968 0 592910924.7\n'))).toBe(6)
    expect(countValues(line('1\t2  3\r\n'))).toBe(3)
    expect(countValues(line(' \n'))).toBe(0)
  })
})

describe('PandABox zmq address', () => {
  it('defaults to one event per row and reads events=batches', () => {
    expect(parsePcapZmqUrl('tcp://pcap:5555')).toEqual({ url: 'tcp://pcap:5555' })
    expect(parsePcapZmqUrl('tcp://pcap:5555?events=batches&lostAfterMs=100')).toEqual({
      url: 'tcp://pcap:5555',
      events: 'batches',
      lostAfterMs: 100,
    })
    expect(configError(() => parsePcapZmqUrl('tcp://pcap:5555?events=some'))).toMatch(
      /bad parameter events=some/,
    )
  })
})
