import { readFileSync } from 'node:fs'
import path from 'node:path'
import { decodeMultiple } from 'cbor-x'
import { describe, expect, it } from 'vitest'
import { isNumpyArray } from '../../../../src/codec/pickle-value.js'
import { toNumpyArray, writePickle } from '../../../../src/codec/pickle-writer.js'
import { encodeContrastMessage } from '../../../../src/devices/contrast/encode-contrast.js'
import {
  CONTRAST_TYP,
  type ContrastMessage,
  parseContrast,
  parseContrastFrames,
} from '../../../../src/devices/contrast/parse-contrast.js'
import { isMessageKind } from '../../../../src/devices/device-message.js'
import { ProtocolError } from '../../../../src/errors.js'

function rawCapture(name: string): Uint8Array[][] {
  const file = readFileSync(path.resolve(process.cwd(), '../shared/fixtures', name))
  const messages: Uint8Array[][] = []
  decodeMultiple(file, (item: unknown) => {
    if (!Array.isArray(item) || !item.every((p) => p instanceof Uint8Array)) {
      throw new Error('not an array of byte strings')
    }
    messages.push(item)
  })
  return messages
}

/** Reads a little-endian float64 straight from pickle bytes, after a marker, independently. */
function floatAfter(bytes: Uint8Array, marker: string): number {
  const at = Buffer.from(bytes).indexOf(Buffer.from(marker, 'latin1'))
  if (at < 0) throw new Error(`marker ${marker} not found`)
  // BINUNICODE 'sx' is followed by BINPUT n, then BINFLOAT (big-endian float64)
  const floatAt = at + marker.length + 2
  expect(bytes[floatAt]).toBe(0x47)
  return Buffer.from(bytes).readDoubleBE(floatAt + 1)
}

describe('parseContrast on the real capture', () => {
  const parts = rawCapture('contrast-dump.cbors')
  const messages = parts.map((p) => parseContrast({ typ: CONTRAST_TYP, frames: p }))

  it('sees heartbeat, start, 20 points with a heartbeat between, end, heartbeats', () => {
    const kinds = messages.map((m) => m.kind)
    expect(kinds).toEqual([
      'heartbeat',
      'start',
      ...Array<string>(11).fill('data'),
      'heartbeat',
      ...Array<string>(9).fill('data'),
      'end',
      'heartbeat',
      'heartbeat',
    ])
  })

  it('reads the scan info of the mesh 5×4', () => {
    const start = messages[1]!
    if (!isMessageKind(start, 'start')) throw new Error('not a start')
    expect(start.scannr).toBe(2)
    expect(start.description).toBe('mesh sx -2 2 3 sy -2 2 4 0.1')
    expect(start.path).toMatch(/diff_1130_stream_test\/raw\/dummy$/)
    expect(start.snapshot.vfm_yaw).toBe(0.15148492851039919)
    const end = messages[23]!
    if (!isMessageKind(end, 'end')) throw new Error('not an end')
    expect(end.reason).toBe('finished')
    expect(end.scannr).toBe(2)
  })

  it('reads the motor positions and PandA values of every point', () => {
    const points = messages.filter((m) => isMessageKind(m, 'data'))
    expect(points).toHaveLength(20)
    const first = points[0]!
    const firstBytes = parts[2]![0]!
    expect(first.positions.sx).toBe(floatAfter(firstBytes, 'sx'))
    expect(first.positions.sy).toBe(floatAfter(firstBytes, 'sy'))
    expect(first.positions).toEqual({ sx: -2.000431059888797, sy: -2.0011940002441406 })
    expect(first.dt).toBe(2.410903215408325)
    const panda = first.detectors.panda0
    if (panda === null || typeof panda !== 'object' || !('FMC_IN.VAL6_Mean' in panda)) {
      throw new Error('no PandA values')
    }
    const val6 = panda['FMC_IN.VAL6_Mean']
    if (!isNumpyArray(val6)) throw new Error('not an array')
    expect(val6.shape).toEqual([1])
    expect(val6.data[0]).toBeCloseTo(0.04644599, 8)
    expect(first.detectors.xspress3).toMatchObject({ type: 'Link', universal: true })
    for (const point of points) {
      expect(Number.isFinite(point.positions.sx)).toBe(true)
      expect(Number.isFinite(point.positions.sy)).toBe(true)
    }
    // the mesh visits sx = -2, -0.67, 0.67, 2 with sy = -2 … 2 in steps of 1
    expect(points.map((p) => Math.round(p.positions.sy ?? Number.NaN) + 0)).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 5) - 2),
    )
  })
})

describe('encodeContrastMessage → parseContrast', () => {
  const roundTrip = (input: Parameters<typeof encodeContrastMessage>[0]): ContrastMessage =>
    parseContrastFrames(encodeContrastMessage(input))

  it('round-trips every kind', () => {
    expect(roundTrip({ kind: 'heartbeat' })).toMatchObject({ kind: 'heartbeat' })
    const info = { scannr: 7, path: '/data/x', description: 'mesh sx 0 1 1 sy 0 1 1 0.1' }
    expect(roundTrip({ kind: 'start', ...info, snapshot: { sx: 0 } })).toMatchObject({
      kind: 'start',
      ...info,
      snapshot: { sx: 0 },
    })
    const point = roundTrip({
      kind: 'data',
      dt: 1,
      positions: { sx: 0, sy: -1.5 },
      detectors: { panda0: { 'A.VAL_Mean': toNumpyArray(new Float64Array([0.5])) } },
    })
    if (!isMessageKind(point, 'data')) throw new Error('not a point')
    expect(point.positions).toEqual({ sx: 0, sy: -1.5 })
    expect(point.dt).toBe(1)
    expect(point.detectors.panda0).toMatchObject({ 'A.VAL_Mean': { shape: [1] } })
    expect(roundTrip({ kind: 'end', reason: 'interrupted', ...info })).toMatchObject({
      kind: 'end',
      reason: 'interrupted',
      scannr: 7,
    })
  })

  it('writes points as a protocol-2 OrderedDict, like Contrast', () => {
    const [part] = encodeContrastMessage({ kind: 'data', dt: 1, positions: { sx: 1 } })
    expect(Buffer.from(part!).subarray(0, 27).toString('latin1')).toBe(
      '\x80\x02ccollections\nOrderedDict\n',
    )
  })
})

describe('parseContrast refuses malformed messages', () => {
  const bad = (frames: Uint8Array[]) => () => parseContrastFrames(frames)

  it('refuses a wrong part count, typ, non-dict, unknown status, missing fields', () => {
    expect(bad([])).toThrow(/0 parts/)
    expect(() => parseContrast({ typ: 'STINS', frames: [] })).toThrow(/typ 'STINS'/)
    expect(bad([writePickle([1])])).toThrow(/not a dict/)
    expect(bad([writePickle({ status: 'paused' })])).toThrow(ProtocolError)
    expect(bad([writePickle({ status: 'running' })])).toThrow(/dt/)
    expect(bad([writePickle({ status: 'started', path: '/x' })])).toThrow(/scannr/)
  })

  it('refuses a pickle that names a forbidden global', () => {
    const evil = Uint8Array.from(Buffer.from("cos\nsystem\n(S'ls'\ntR.", 'latin1'))
    expect(bad([evil])).toThrow(/'os.system', which is not allowed/)
  })
})
