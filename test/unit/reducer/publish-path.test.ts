import { describe, expect, it } from 'vitest'
import { selectPublishPath } from '../../../reducer/publish-path.js'

const publish = {
  map: { x: [1, 2, 3], image: new Float32Array([0.5, 1.5]) },
  map_attrs: { NX_class: 'NXdata' },
  byName: new Map([['a', 1]]),
  count: 0,
  fn: () => 1,
}

describe('selectPublishPath', () => {
  it('selects the whole tree for an empty path', () => {
    expect(selectPublishPath(publish, '')).toEqual({ found: true, value: publish })
    expect(selectPublishPath(publish, '/')).toEqual({ found: true, value: publish })
  })

  it('walks object keys, Map keys and indices', () => {
    expect(selectPublishPath(publish, 'map/x/1')).toEqual({ found: true, value: 2 })
    expect(selectPublishPath(publish, 'map/image/1')).toEqual({ found: true, value: 1.5 })
    expect(selectPublishPath(publish, 'byName/a')).toEqual({ found: true, value: 1 })
    expect(selectPublishPath(publish, '/count/')).toEqual({ found: true, value: 0 })
  })

  it('names the first missing part', () => {
    expect(selectPublishPath(publish, 'map/y/0')).toEqual({ found: false, missing: 'map/y' })
    expect(selectPublishPath(publish, 'map/x/3')).toEqual({ found: false, missing: 'map/x/3' })
    expect(selectPublishPath(publish, 'map/x/-1')).toEqual({ found: false, missing: 'map/x/-1' })
    expect(selectPublishPath(publish, 'count/a')).toEqual({ found: false, missing: 'count/a' })
    expect(selectPublishPath(publish, 'fn')).toEqual({ found: false, missing: 'fn' })
    expect(selectPublishPath(publish, 'toString')).toEqual({ found: false, missing: 'toString' })
  })
})
