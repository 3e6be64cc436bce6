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
})
