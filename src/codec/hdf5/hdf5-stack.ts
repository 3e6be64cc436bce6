import { dirname, isAbsolute, posix, resolve } from 'node:path'
import {
  type Dtype,
  type DtypeName,
  HOST_LITTLE_ENDIAN,
  type NumericArray,
  viewAs,
} from '../../devices/dtype.js'
import { ConfigError } from '../../errors.js'
import { Hdf5DatasetReader } from './hdf5-dataset.js'
import { Hdf5File } from './hdf5-file.js'

type H5wasm = typeof import('h5wasm/node')
type H5File = InstanceType<H5wasm['File']>

let loading: Promise<H5wasm> | undefined

/** h5wasm, loaded on first use (it compiles a 4 MB WebAssembly module). */
function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async (h5) => {
    await h5.ready
    return h5
  })
  return loading
}

// HDF5's H5G_obj_t, as h5wasm's `get_type` returns it.
const H5G_GROUP = 0
const H5G_DATASET = 1
const H5G_LINK = 3
const H5G_UDLINK = 4

/** Links followed at most while resolving one name (bounds loops between files). */
const MAX_HOPS = 32
/** EIGER's data links in a master file's `/entry/data`: `data_000001`, `data_000002`, … */
const EIGER_DATA_LINK = /^data_\d{6}$/

/** Where a run of frames of a stack is stored. */
export interface Hdf5StackMember {
  readonly file: string
  readonly dataset: string
  readonly frames: number
  /** `contiguous`, `compact`, or `chunked (<index>)` (`btree-v1`, `extensible-array`, …). */
  readonly storage: string
  /** Filter ids of the dataset's pipeline, in the order they were applied. */
  readonly filters: readonly number[]
}

/**
 * A stack of frames read from HDF5 files: one dataset, or the data files an EIGER master file
 * links to, concatenated along the first dimension. Frames come back as typed arrays in host
 * byte order. `close()` is idempotent.
 */
export interface Hdf5Stack {
  /** The file and name as given (the name resolved when none was given). */
  readonly file: string
  readonly dataset: string
  readonly frames: number
  readonly frameShape: readonly number[]
  readonly dtype: Dtype
  readonly members: readonly Hdf5StackMember[]
  /** Frame `i` (0-based over the whole stack). @throws RangeError outside the stack. */
  readFrame(i: number): Promise<NumericArray>
  /**
   * Frame `i` as its file stores it, when that is a bitshuffle-LZ4 blob of the whole frame
   * (EIGER data files), with its pixel type; `undefined` otherwise.
   */
  readEncodedFrame(
    i: number,
    compression: 'bslz4',
  ): Promise<{ readonly blob: Uint8Array; readonly dtype: DtypeName } | undefined>
  close(): Promise<void>
}

interface Target {
  readonly file: string
  readonly path: string
  readonly address: number
}

/**
 * Open a stack of frames in an HDF5 file, resolving `dataset` the way beamline files are laid
 * out: soft and external links are followed (an external link's file is found relative to the
 * linking file's directory, as HDF5 does); a NeXus group leads to its `signal` (an `NXdata`)
 * or its `default`; a group of EIGER data links (`data_000001`, …) is the concatenation of the
 * datasets they point to. Without `dataset`, the file's NeXus `default` chain, or else
 * `/entry/data`, is used. Chunks are read and decoded by beamloom (see
 * {@link Hdf5DatasetReader}); h5wasm reads only the structure (links, attributes, where each
 * dataset's header is).
 * @throws ConfigError `CONFIG_INVALID` for a file that cannot be opened, a name that does not
 *   lead to a numeric dataset of rank ≥ 2, or members that do not agree in frame shape and
 *   type; ProtocolError `DECODE_FAILED` for a structure or filter that cannot be read.
 */
export async function openHdf5Stack(file: string, dataset?: string): Promise<Hdf5Stack> {
  const h5 = await loadH5wasm()
  const path = resolve(file)
  const targets = await resolveName(h5, path, dataset ?? '', 0)
  const readers: Hdf5DatasetReader[] = []
  try {
    for (const t of targets) readers.push(await Hdf5DatasetReader.open(t.file, t.address, t.path))
    const first = readers[0]!
    for (const [i, r] of readers.entries()) {
      const same =
        r.type.name === first.type.name &&
        r.frameShape.length === first.frameShape.length &&
        r.frameShape.every((d, k) => d === first.frameShape[k])
      if (!same) {
        const t = targets[i]!
        throw new ConfigError(
          `${file}: ${t.file}:${t.path} holds [${r.frameShape}] ${r.type.name} frames, the first member [${first.frameShape}] ${first.type.name}`,
        )
      }
    }
    return stackOf(file, targets, readers)
  } catch (err) {
    await Promise.all(readers.map((r) => r.close()))
    throw err
  }
}

function stackOf(
  file: string,
  targets: readonly Target[],
  readers: Hdf5DatasetReader[],
): Hdf5Stack {
  const first = readers[0]!
  const starts: number[] = []
  let frames = 0
  for (const r of readers) {
    starts.push(frames)
    frames += r.frames
  }
  const member = (i: number): number => {
    if (!Number.isInteger(i) || i < 0 || i >= frames) {
      throw new RangeError(`${file}: frame ${i} of ${frames}`)
    }
    let m = readers.length - 1
    while (starts[m]! > i) m--
    return m
  }
  const dtype: Dtype = {
    name: first.type.name,
    itemSize: first.type.itemSize,
    littleEndian: HOST_LITTLE_ENDIAN,
  }
  return {
    file,
    dataset: targets.length === 1 ? targets[0]!.path : posix.dirname(targets[0]!.path),
    frames,
    frameShape: first.frameShape,
    dtype,
    members: targets.map((t, i) => {
      const r = readers[i]!
      return {
        file: t.file,
        dataset: t.path,
        frames: r.frames,
        storage: r.storage,
        filters: r.filters.map((f) => f.id),
      }
    }),
    async readFrame(i: number): Promise<NumericArray> {
      const m = member(i)
      return viewAs(await readers[m]!.readFrame(i - starts[m]!), dtype)
    },
    async readEncodedFrame(i: number) {
      const m = member(i)
      const blob = await readers[m]!.readStoredBitshuffleLz4(i - starts[m]!)
      return blob === undefined ? undefined : { blob, dtype: dtype.name }
    },
    async close(): Promise<void> {
      await Promise.all(readers.map((r) => r.close()))
    },
  }
}

async function openFile(h5: H5wasm, path: string): Promise<H5File> {
  // Our own look at the superblock first: a missing, foreign or truncated file gets a clear
  // error here, and the HDF5 library never sees it (it would print its error stack).
  const probe = await Hdf5File.open(path)
  await probe.close()
  const f = new h5.File(path, 'r')
  if (f.file_id < 0n) throw new ConfigError(`${path} is not an HDF5 file h5wasm can open`)
  return f
}

/** The datasets (with their header addresses) that `name` in `file` stands for. */
async function resolveName(
  h5: H5wasm,
  file: string,
  name: string,
  hops: number,
): Promise<Target[]> {
  if (hops > MAX_HOPS)
    throw new ConfigError(`${file}:${name}: more than ${MAX_HOPS} links (a loop?)`)
  const f = await openFile(h5, file)
  let next: { file: string; name: string }[]
  try {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.')
    let current = '/'
    let redirect: { file: string; name: string } | undefined
    for (const [k, part] of parts.entries()) {
      const p = posix.join(current, part)
      const rest = parts.slice(k + 1).join('/')
      // Look the link up in its group before anything follows it: asking HDF5 for the type
      // would make it chase an external link itself (and print its error stack when it fails).
      const siblings = (f.get(current) as InstanceType<H5wasm['Group']>).keys()
      if (!siblings.includes(part)) throw new ConfigError(`${file}: no object '${p}'`)
      const external = f.get_external_link(p) as { filename?: string; obj_path?: string }
      if (external.filename !== undefined && external.obj_path !== undefined) {
        const target = isAbsolute(external.filename)
          ? external.filename
          : resolve(dirname(file), external.filename)
        redirect = { file: target, name: posix.join(external.obj_path, rest) }
        break
      }
      const type = f.get_type(p)
      if (type === H5G_UDLINK) throw new ConfigError(`${file}: '${p}' is a link of an unknown kind`)
      if (type === H5G_LINK) throw new ConfigError(`${file}: '${p}' is a dangling soft link`)
      const soft = f.get_link(p) as string | null
      if (typeof soft === 'string') {
        redirect = { file, name: posix.join(posix.resolve(current, soft), rest) }
        break
      }
      current = p
    }
    if (redirect !== undefined) {
      next = [redirect]
    } else {
      const type = f.get_type(current)
      if (type === H5G_DATASET) {
        const ref = (f.get(current) as InstanceType<H5wasm['Dataset']>).create_reference()
        let address = 0
        for (let i = 7; i >= 0; i--) address = address * 256 + (ref.ref_data[i] ?? 0)
        return [{ file, path: current, address }]
      }
      if (type !== H5G_GROUP)
        throw new ConfigError(`${file}: '${current}' is not a dataset or group`)
      next = groupTargets(f, file, current, name === '')
    }
  } finally {
    f.close()
  }
  const out: Target[] = []
  for (const n of next) out.push(...(await resolveName(h5, n.file, n.name, hops + 1)))
  return out
}

/** What a group stands for: EIGER data links, a NeXus signal or default, or `/entry/data`. */
function groupTargets(f: H5File, file: string, group: string, atRoot: boolean) {
  const g = f.get(group) as InstanceType<H5wasm['Group']>
  const eiger = g
    .keys()
    .filter((k) => EIGER_DATA_LINK.test(k))
    .sort()
  if (eiger.length > 0) return eiger.map((k) => ({ file, name: posix.join(group, k) }))
  const attrs = g.attrs
  for (const key of ['signal', 'default']) {
    const value = textOf(attrs[key]?.value)
    if (value !== undefined && value !== '') return [{ file, name: posix.join(group, value) }]
  }
  if (atRoot && f.get_type('/entry/data') >= 0) return [{ file, name: '/entry/data' }]
  throw new ConfigError(
    `${file}: '${group}' is a group without a NeXus 'signal' or 'default' and without EIGER data links; name a dataset (file:/path/to/dataset)`,
  )
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0]
  if (value instanceof Uint8Array) return new TextDecoder().decode(value).replace(/\0+$/, '')
  return undefined
}
