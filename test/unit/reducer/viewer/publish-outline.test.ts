import { describe, expect, it } from 'vitest'
import { publishOutline } from '../../../../reducer/viewer/publish-outline.js'

describe('publishOutline', () => {
  it('describes groups, N-D numeric arrays, lists and scalars without their data', () => {
    const publish = {
      sum: 3,
      label: 'x',
      ok: false,
      none: null,
      trace: [1, 2, null, 4],
      spectrum: new Float32Array(4096),
      image: [new Uint16Array(5), new Uint16Array(5), new Uint16Array(5)],
      rows: [
        [1, 2],
        [3, 4],
      ],
      ragged: [[1, 2], [3]],
      cube: [
        [new Float32Array(4), new Float32Array(4), new Float32Array(4)],
        [new Float32Array(4), new Float32Array(4), new Float32Array(4)],
      ],
      uneven: [[new Float32Array(4)], [new Float32Array(4), new Float32Array(4)]],
      mixed: [[1, 2], [[3, 4]]],
      names: ['a', 'b'],
      empty: [],
      when: new Date(0),
      map: new Map([['k', { v: 1 }]]),
      skipped: undefined,
    }
    expect(publishOutline(publish)).toEqual({
      kind: 'group',
      children: {
        sum: { kind: 'number' },
        label: { kind: 'string' },
        ok: { kind: 'boolean' },
        none: { kind: 'null' },
        trace: { kind: 'array', shape: [4] },
        spectrum: { kind: 'array', shape: [4096] },
        image: { kind: 'array', shape: [3, 5] },
        rows: { kind: 'array', shape: [2, 2] },
        ragged: { kind: 'list', length: 2 },
        cube: { kind: 'array', shape: [2, 3, 4] },
        uneven: { kind: 'list', length: 2 },
        mixed: { kind: 'list', length: 2 },
        names: { kind: 'list', length: 2 },
        empty: { kind: 'list', length: 0 },
        when: { kind: 'other' },
        map: {
          kind: 'group',
          children: { k: { kind: 'group', children: { v: { kind: 'number' } } } },
        },
      },
    })
  })

  it('shows name_attrs as the attributes of name, never as children, and names the default', () => {
    const publish = {
      log: [1, 2, 3],
      roi: { mean: [1.5, 2], event_number: [1, 2], mean_attrs: { units: 'counts', big: 3n } },
      roi_attrs: { NX_class: 'NXdata', signal: 'mean', axes: ['event_number'], nested: { a: 1 } },
      map: { grid: [[1]] },
      map_attrs: new Map([['NX_class', 'NXdata']]),
      _attrs: { title: 'scan 7', long: Array(65).fill(1) },
    }
    expect(publishOutline(publish)).toEqual({
      kind: 'group',
      attrs: { title: 'scan 7' },
      default: 'roi',
      children: {
        log: { kind: 'array', shape: [3] },
        roi: {
          kind: 'group',
          attrs: { NX_class: 'NXdata', signal: 'mean', axes: ['event_number'] },
          children: {
            mean: { kind: 'array', shape: [2], attrs: { units: 'counts', big: 3 } },
            event_number: { kind: 'array', shape: [2] },
          },
        },
        map: {
          kind: 'group',
          attrs: { NX_class: 'NXdata' },
          children: { grid: { kind: 'array', shape: [1, 1] } },
        },
      },
    })
    // The reducer's own default wins.
    expect(publishOutline({ ...publish, _attrs: { default: 'map' } }).default).toBe('map')
  })
})
