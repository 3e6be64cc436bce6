// What to draw for a path of publish, from the outline the reducer serves (no data): an
// NXdata group is its signal against its axes, labelled with long names and units; a signal
// of an NXdata group is drawn as its group; other numeric arrays against their index. Pure.

/** The outline node at `path` (`a/b`), or undefined. */
export function nodeAt(outline, path) {
  let node = outline
  for (const name of path === '' ? [] : path.split('/')) {
    node = node?.kind === 'group' ? node.children[name] : undefined
    if (node === undefined) return undefined
  }
  return node
}

/** `long_name (units)`, `name (units)` or `name`. */
export function label(name, attrs) {
  const base = typeof attrs?.long_name === 'string' ? attrs.long_name : name
  return typeof attrs?.units === 'string' && attrs.units !== '' ? `${base} (${attrs.units})` : base
}

function axesOf(attrs) {
  const axes = attrs?.axes
  if (typeof axes === 'string') return axes.split(':')
  return Array.isArray(axes) ? axes.map(String) : []
}

/** Whether a node is an NXdata group whose signal is a numeric array of 1 or 2 dimensions. */
export function isPlottableNxdata(node) {
  if (node?.kind !== 'group' || node.attrs?.NX_class !== 'NXdata') return false
  const signal = node.children[node.attrs.signal]
  return signal?.kind === 'array' && signal.shape.length <= 2
}

/**
 * The plan for a path:
 * - `{kind: 'nxdata', group, signal, axes: [name | null per dimension], title, labels}` for a
 *   plottable NXdata group or its signal (an axis must be a 1-D array as long as its
 *   dimension, else the index is used);
 * - `{kind: 'array', path, shape, title, labels}` for another numeric array;
 * - `{kind: 'value', path, title}` for anything else.
 */
export function planFor(outline, path) {
  const node = nodeAt(outline, path)
  const parts = path.split('/')
  const name = parts.at(-1)
  const parentPath = parts.slice(0, -1).join('/')
  const parent = nodeAt(outline, parentPath)
  if (isPlottableNxdata(node)) return nxdataPlan(node, path)
  if (isPlottableNxdata(parent) && parent.attrs.signal === name)
    return nxdataPlan(parent, parentPath)
  if (node?.kind === 'array' && node.shape.length <= 2) {
    const dims = node.shape.length === 1 ? ['index'] : ['row', 'column']
    return {
      kind: 'array',
      path,
      shape: node.shape,
      title: path,
      labels: { signal: label(name, node.attrs), axes: dims },
    }
  }
  return { kind: 'value', path, title: path }
}

function nxdataPlan(group, path) {
  const signalName = group.attrs.signal
  const signal = group.children[signalName]
  const named = axesOf(group.attrs)
  const axes = signal.shape.map((n, d) => {
    const axis = named[d]
    const node = axis === undefined || axis === '.' ? undefined : group.children[axis]
    return node?.kind === 'array' && node.shape.length === 1 && node.shape[0] === n ? axis : null
  })
  const dimNames = signal.shape.length === 1 ? ['index'] : ['row', 'column']
  return {
    kind: 'nxdata',
    group: path,
    signal: signalName,
    axes,
    shape: signal.shape,
    title: typeof group.attrs.title === 'string' ? group.attrs.title : path,
    labels: {
      signal: label(signalName, signal.attrs),
      axes: axes.map((a, d) => (a === null ? dimNames[d] : label(a, group.children[a].attrs))),
      units: axes.map((a) => (a === null ? undefined : group.children[a].attrs?.units)),
    },
  }
}

/** Paths worth opening first: the default NXdata, else the first 1-D and the first 2-D array. */
export function firstPaths(outline) {
  if (typeof outline.default === 'string' && nodeAt(outline, outline.default) !== undefined) {
    return [outline.default]
  }
  const found = {}
  const walk = (node, prefix) => {
    for (const [name, child] of Object.entries(node.children)) {
      const path = prefix ? `${prefix}/${name}` : name
      if (child.kind === 'group') walk(child, path)
      else if (child.kind === 'array') found[child.shape.length] ??= path
    }
  }
  walk(outline, '')
  return [found[1], found[2]].filter((p) => p !== undefined)
}
