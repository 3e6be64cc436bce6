import { describe, expect, it } from 'vitest'
import {
  encodeSardanaBody,
  encodeSardanaDataDesc,
  encodeSardanaEnd,
  encodeSardanaRecord,
  SARDANA_PATHS,
} from '../../../../src/devices/sardana/encode-sardana.js'
import {
  parseSardana,
  SARDANA_TYP,
  type SardanaMessage,
} from '../../../../src/devices/sardana/parse-sardana.js'
import { isBeamloomError } from '../../../../src/errors.js'

const parse = (frames: Uint8Array[]): SardanaMessage => parseSardana({ typ: SARDANA_TYP, frames })
const body = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

// Bodies as Sardana POSTs them (modelled on Dranspose's test_sardana_ingester / conftest).
const DATA_DESC = {
  column_desc: [
    { name: 'point_nb', label: '#Pt No', dtype: 'int64', shape: [] },
    {
      min_value: 0,
      max_value: 0.1,
      instrument: '',
      name: 'dummy_mot_01',
      label: 'dummy_mot_01',
      dtype: 'float64',
      shape: [],
      is_reference: true,
    },
    { name: 'timestamp', label: 'dt', dtype: 'float64', shape: [] },
  ],
  ref_moveables: ['dummy_mot_01'],
  estimatedtime: -2.6585786096205566,
  total_scan_intervals: 2,
  starttime: 'Mon Apr 17 14:19:35 2023',
  title: 'burstscan dummy_mot_01 0.0 0.1 2 50',
  counters: [
    'tango://b-v-femtomax-csdb-0.maxiv.lu.se:10000/expchan/oscc_02_seq_ctrl/1',
    'tango://b-v-femtomax-csdb-0.maxiv.lu.se:10000/expchan/panda_femtopcap_ctrl/4',
  ],
  scanfile: ['stream.daq', 'tests_03.h5'],
  scandir: '/data/staff/femtomax/20230413',
  serialno: 20338,
}

function expectProtocolError(run: () => unknown, message: RegExp): void {
  let thrown: unknown
  try {
    run()
  } catch (err) {
    thrown = err
  }
  expect(isBeamloomError(thrown, 'PROTOCOL_INVALID'), String(thrown)).toBe(true)
  expect(String(thrown)).toMatch(message)
}

describe('parseSardana on POST bodies as Sardana sends them', () => {
  it('reads a data description with its columns', () => {
    const msg = parse([body(DATA_DESC)])
    if (msg.kind !== 'start') throw new Error('expected a start')
    expect(msg).toMatchObject({
      serialno: 20338,
      scandir: '/data/staff/femtomax/20230413',
      title: DATA_DESC.title,
    })
    expect(msg.columns.map((c) => c.name)).toEqual(['point_nb', 'dummy_mot_01', 'timestamp'])
    expect(msg.columns[1]).toMatchObject({ dtype: 'float64', shape: [], is_reference: true })
    expect(msg.header.counters).toHaveLength(2)
  })

  it('reads records by column and the empty end body', () => {
    for (let point = 0; point < 9; point++) {
      const msg = parse([body({ point_nb: point, dummy_mot_01: 0, timestamp: 0.6104741096496582 })])
      expect(msg).toMatchObject({
        kind: 'data',
        pointNb: point,
        timestamp: 0.6104741096496582,
        values: { point_nb: point, dummy_mot_01: 0, timestamp: 0.6104741096496582 },
      })
    }
    const spectrum = parse([body({ point_nb: 1, timestamp: 1, mca: [1, 2, 3], note: null })])
    expect(spectrum).toMatchObject({ kind: 'data', values: { mca: [1, 2, 3], note: null } })
    expect(parse([body({})])).toMatchObject({ kind: 'end' })
  })

  it('reads bodies re-serialised with `type`, as Dranspose forwards them', () => {
    expect(parse([body({ type: 'DataDescription', ...DATA_DESC })]).kind).toBe('start')
    const record = parse([body({ type: 'RecordData', timestamp: 2, point_nb: 0 })])
    expect(record).toMatchObject({ kind: 'data', values: { timestamp: 2, point_nb: 0 } })
    expect(record.kind === 'data' && 'type' in record.values).toBe(false)
    expect(parse([body({ type: 'RecordEnd' })]).kind).toBe('end')
  })
})

describe('Sardana encode → parse', () => {
  it('round-trips a scan through the encoders and the path table', () => {
    const start = parse(
      encodeSardanaDataDesc({
        serialno: 7,
        scandir: '/tmp',
        title: 'ascan m 0 1 3 0.1',
        columns: [{ name: 'point_nb', dtype: 'int64' }, { name: 'm' }, { name: 'ct01', shape: [] }],
        extra: { ref_moveables: ['m'] },
      }),
    )
    expect(start).toMatchObject({ kind: 'start', serialno: 7, header: { ref_moveables: ['m'] } })
    expect(start.kind === 'start' && start.columns.map((c) => c.dtype)).toEqual([
      'int64',
      'float64',
      'float64',
    ])
    expect(parse(encodeSardanaRecord(0.5, { point_nb: 3, m: 0.75 }))).toMatchObject({
      kind: 'data',
      pointNb: 3,
      timestamp: 0.5,
      values: { m: 0.75 },
    })
    expect(parse(encodeSardanaEnd()).kind).toBe('end')
    expect(parse(encodeSardanaBody(SARDANA_PATHS['/v1/record_end']!, {})).kind).toBe('end')
  })
})

describe('parseSardana rejects malformed bodies', () => {
  it('names what is wrong', () => {
    expectProtocolError(() => parse([body({ ...DATA_DESC, serialno: undefined })]), /serialno/)
    expectProtocolError(() => parse([body({ point_nb: 1 })]), /record invalid: timestamp/)
    expectProtocolError(() => parse([body({ type: 'Custom' })]), /unknown type 'Custom'/)
    expectProtocolError(() => parse([body([1, 2])]), /not a JSON object/)
    expectProtocolError(() => parse([new TextEncoder().encode('{"a":')]), /not UTF-8 JSON/)
    expectProtocolError(() => parse([body({}), body({})]), /2 parts/)
    expectProtocolError(() => parseSardana({ typ: 'PCAP', frames: [body({})] }), /typ 'PCAP'/)
  })
})
