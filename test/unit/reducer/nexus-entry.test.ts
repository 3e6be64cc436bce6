import { describe, expect, it } from 'vitest'
import { defaultNxdata } from '../../../reducer/nexus/default-nxdata.js'
import { nexusEntry } from '../../../reducer/nexus/nexus-entry.js'
import type { ScanMetadata } from '../../../reducer/nexus/scan-metadata.js'
import { makeParameter } from '../../../src/internal.js'

const meta: ScanMetadata = {
  scanId: 'id-1',
  scanNumber: 12,
  status: 'failed',
  reason: 'no progress for 30 s',
  startTime: '2026-01-01T00:00:00.000Z',
  workers: [
    { spec: 'w.ts:W', sha256: '1'.repeat(64) },
    { spec: 'gpu.py:Gpu', sha256: '2'.repeat(64) },
  ],
  sources: ['stream xrd'],
  parameters: {
    n: makeParameter('n', new TextEncoder().encode('4'), { name: 'n', dtype: 'int', default: 0 }),
    mask: makeParameter('mask', new Uint8Array([1, 2]), {
      name: 'mask',
      dtype: 'binary',
      default: new Uint8Array(),
    }),
    free: makeParameter('free', new TextEncoder().encode('text'), undefined),
  },
}

describe('defaultNxdata', () => {
  it('picks the first NXdata group whose signal exists, else the first NXdata', () => {
    expect(
      defaultNxdata({
        log: [1, 2],
        a: { x: [1] },
        a_attrs: { NX_class: 'NXdata' },
        b: { y: [1] },
        b_attrs: { NX_class: 'NXdata', signal: 'missing' },
        c: { z: [1] },
        c_attrs: { NX_class: 'NXdata', signal: 'z' },
      }),
    ).toBe('c')
    expect(defaultNxdata({ a: { x: [1] }, a_attrs: { NX_class: 'NXdata' } })).toBe('a')
    expect(defaultNxdata({ a: { x: [1] }, a_attrs: { NX_class: 'NXcollection' } })).toBeUndefined()
    expect(
      defaultNxdata(
        new Map([
          ['m', { s: [1] }],
          ['m_attrs', { NX_class: 'NXdata', signal: 's' }],
        ]),
      ),
    ).toBe('m')
  })
})

describe('nexusEntry', () => {
  it('adds the entry fields and the NXprocess beside publish, which it references', () => {
    const roi = { mean: [1.5], event_number: [3] }
    const publish = { roi, roi_attrs: { NX_class: 'NXdata', signal: 'mean' } }
    const { tree, shadowed } = nexusEntry(publish, meta, '9.9.9')
    expect(shadowed).toEqual([])
    expect(tree.get('roi')).toBe(roi)
    expect(tree.get('_attrs')).toEqual({ NX_class: 'NXentry', default: 'roi' })
    expect(tree.get('title')).toBe('scan 12')
    expect(tree.get('entry_identifier')).toBe('id-1')
    expect(tree.get('start_time')).toBe('2026-01-01T00:00:00.000Z')
    expect(tree.has('end_time')).toBe(false)
    expect(tree.get('program_name_attrs')).toEqual({ version: '9.9.9' })
    const process = tree.get('beamloom') as Record<string, unknown>
    expect(tree.get('beamloom_attrs')).toEqual({ NX_class: 'NXprocess' })
    expect(process).toMatchObject({
      program: 'beamloom',
      version: '9.9.9',
      status: 'failed',
      reason: 'no progress for 30 s',
      date: '2026-01-01T00:00:00.000Z',
      scan_number: 12n,
      sources: ['stream xrd'],
      worker_0: { module: 'w.ts:W', file_name: 'w.ts', type: 'text/x-typescript' },
      worker_1: { module: 'gpu.py:Gpu', file_name: 'gpu.py', type: 'text/x-python' },
      worker_0_attrs: { NX_class: 'NXnote' },
      parameters_attrs: { NX_class: 'NXparameters' },
    })
    // Typed by the description: int → int64 (bigint), binary → bytes, undescribed → text.
    expect(process.parameters).toEqual({ n: 4n, mask: new Uint8Array([1, 2]), free: 'text' })
    expect(process).not.toHaveProperty('reducer')
    expect(JSON.parse((process.metadata as { data: string }).data)).toMatchObject({
      status: 'failed',
      parameters: { n: 4, mask: { base64: 'AQI=' }, free: 'text' },
    })
  })

  it("lets publish's members and its default win, and keeps the entry an NXentry", () => {
    const publish = new Map<string, unknown>([
      ['title', 'my title'],
      ['beamloom', { mine: 1 }],
      ['img', { data: [[1]] }],
      ['img_attrs', { NX_class: 'NXdata', signal: 'data' }],
      ['other', { v: [1] }],
      ['_attrs', { NX_class: 'NXcollection', default: 'other', owner: 'me' }],
    ])
    const { tree, shadowed } = nexusEntry(publish, meta, '1')
    expect([...shadowed].sort()).toEqual(['beamloom', 'title'])
    expect(tree.get('title')).toBe('my title')
    expect(tree.get('beamloom')).toEqual({ mine: 1 })
    expect(tree.has('beamloom_attrs')).toBe(false)
    expect(tree.get('_attrs')).toEqual({ NX_class: 'NXentry', default: 'other', owner: 'me' })
  })
})
