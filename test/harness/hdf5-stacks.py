"""Write the HDF5 test files of the HDF5 reader and replay tests (run by the tests themselves).

Usage: hdf5-stacks.py <out dir>. Every dataset holds value(seed, frame, pixel) (see
hdf5-stacks.ts, which computes the same values independently to check what beamloom reads).
Bitshuffle-LZ4 chunks are compressed here with numpy and python3-lz4 and written raw
(write_direct_chunk): the bitshuffle filter plugin is not needed to write them, and beamloom
must decode them with its own codec. LZ4 chunks go through the real LZ4 filter plugin
(hdf5plugin), gzip/shuffle/fletcher32 through HDF5 itself.
"""
import json
import struct
import sys

import h5py
import hdf5plugin
import lz4.block
import numpy as np
from h5py import h5d, h5p, h5s, h5t, h5z

OUT = sys.argv[1]


def values(seed, dtype, frames, shape):
    f = np.arange(frames, dtype=np.int64).reshape((frames,) + (1,) * len(shape))
    i = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    if np.dtype(dtype).kind == 'f':
        v = seed + f * 0.5 + i * 0.25
    elif np.dtype(dtype).itemsize == 1:
        v = (seed + f * 13 + i * 7) % 251
        if np.dtype(dtype).kind == 'i':
            v = v - 125
    else:
        v = (seed + f * 1009 + i * 7) % 30011
        if np.dtype(dtype).kind == 'i':
            v = v - 15000
    return v.astype(dtype)


def bitshuffle_block(block, s):
    a = np.frombuffer(block, dtype=np.uint8)
    n = a.size // s
    bits = np.unpackbits(a.reshape(n, s), axis=1, bitorder='little').reshape(n, s, 8)
    bits = bits.transpose(1, 2, 0).reshape(s * 8, n)
    return np.packbits(bits, axis=1, bitorder='little').tobytes()


def bslz4(arr, block=0):
    raw = np.ascontiguousarray(arr).tobytes()
    s = arr.dtype.itemsize
    n = arr.size
    if block == 0:
        block = max(128, (8192 // s) // 8 * 8)
    out = [struct.pack('>QI', len(raw), block * s)]
    done = 0
    while n - done >= 8:
        k = min(block, (n - done) - (n - done) % 8)
        c = lz4.block.compress(bitshuffle_block(raw[done * s:(done + k) * s], s), store_size=False)
        out.append(struct.pack('>I', len(c)) + c)
        done += k
    out.append(raw[done * s:])
    return b''.join(out)


def bslz4_dataset(group, name, data, block=0, maxshape=None):
    """A dataset with the bitshuffle-LZ4 filter, one frame per chunk, written chunk by chunk."""
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk((1,) + data.shape[1:])
    dcpl.set_filter(32008, h5z.FLAG_OPTIONAL, (0, 3, data.dtype.itemsize, block, 2))
    limits = tuple(h5s.UNLIMITED if m is None else m for m in (maxshape or data.shape))
    space = h5s.create_simple(data.shape, limits)
    tid = h5t.py_create(data.dtype)
    dsid = h5d.create(group.id, name.encode(), tid, space, dcpl=dcpl)
    for i in range(data.shape[0]):
        dsid.write_direct_chunk((i,) + (0,) * (data.ndim - 1), bslz4(data[i], block), 0)
    return dsid


manifest = []


def note(file, dataset, seed, dtype, frames, shape, **extra):
    manifest.append(dict(file=file, dataset=dataset, seed=seed, dtype=np.dtype(dtype).name,
                         frames=frames, shape=list(shape), **extra))


# 1. bitshuffle-LZ4, version-1 B-tree (HDF5's default format, what EIGER writes).
with h5py.File(f'{OUT}/bslz4-v1.h5', 'w') as f:
    g = f.create_group('entry/data')
    bslz4_dataset(g, 'u16', values(1, '<u2', 5, (37, 29)))       # 1073 pixels: a raw remainder
    bslz4_dataset(g, 'u32', values(2, '<u4', 4, (20, 30)), block=64)  # several blocks per chunk
# Broken chunks (in their own file): frame 1 is garbage after a valid header, frame 2 claims
# 2**40 bytes.
with h5py.File(f'{OUT}/broken.h5', 'w') as f:
    good = values(1, '<u2', 3, (8, 8))
    dsid = bslz4_dataset(f, 'bad', good)
    rng = np.random.default_rng(5)
    dsid.write_direct_chunk((1, 0, 0), struct.pack('>QI', 128, 8192) + struct.pack('>I', 40) + rng.bytes(40), 0)
    dsid.write_direct_chunk((2, 0, 0), struct.pack('>QI', 2 ** 40, 8192) + b'\0' * 8, 0)
note('bslz4-v1.h5', '/entry/data/u16', 1, '<u2', 5, (37, 29), filters=[32008])
note('bslz4-v1.h5', '/entry/data/u32', 2, '<u4', 4, (20, 30), filters=[32008])

# 2. bitshuffle-LZ4, libver latest: extensible array (unlimited first dimension), enough chunks
#    for its secondary blocks; fixed array, enough chunks for paging; a user block in front.
with h5py.File(f'{OUT}/bslz4-latest.h5', 'w', libver='latest', userblock_size=512) as f:
    bslz4_dataset(f, 'ea', values(3, '<u2', 300, (8, 6)), maxshape=(None, 8, 6))
    bslz4_dataset(f, 'fa', values(4, '<u2', 1100, (4, 4)))
# An extensible array past 131,060 chunks, where its data blocks are paged.
with h5py.File(f'{OUT}/ea-paged.h5', 'w', libver='latest') as f:
    f.create_dataset('d', data=values(16, '<u1', 140000, (1, 2)), maxshape=(None, 1, 2), chunks=(1, 1, 2))
note('ea-paged.h5', '/d', 16, '<u1', 140000, (1, 2), index='extensible-array')
note('bslz4-latest.h5', '/ea', 3, '<u2', 300, (8, 6), filters=[32008], index='extensible-array')
note('bslz4-latest.h5', '/fa', 4, '<u2', 1100, (4, 4), filters=[32008], index='fixed-array')

# 3. LZ4 (32004) through its real plugin, chunks of two frames cut at the edges; gzip with
#    shuffle and fletcher32, big-endian, negatives; float32 gzip; a single filtered chunk.
with h5py.File(f'{OUT}/filters.h5', 'w') as f:
    f.create_dataset('lz4', data=values(5, '<u4', 5, (50, 40)), chunks=(2, 16, 24), **hdf5plugin.LZ4())
    f.create_dataset('gzip_be', data=values(6, '>i2', 4, (33, 17)), chunks=(1, 10, 10),
                     compression='gzip', shuffle=True, fletcher32=True)
    f.create_dataset('float', data=values(7, '<f4', 3, (12, 9)), chunks=(3, 12, 9), compression='gzip')
with h5py.File(f'{OUT}/single.h5', 'w', libver='latest') as f:
    f.create_dataset('one', data=values(8, '<u2', 3, (5, 7)), chunks=(3, 5, 7), compression='gzip')
    # Early allocation, no filters: the implicit index (chunks at computed addresses).
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk((2, 3, 7))
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    data = values(15, '<i4', 5, (6, 7))
    dsid = h5d.create(f.id, b'implicit', h5t.py_create(data.dtype), h5s.create_simple(data.shape), dcpl=dcpl)
    dsid.write(h5s.ALL, h5s.ALL, data)
note('filters.h5', '/lz4', 5, '<u4', 5, (50, 40), filters=[32004])
note('filters.h5', '/gzip_be', 6, '>i2', 4, (33, 17), filters=[2, 1, 3])
note('filters.h5', '/float', 7, '<f4', 3, (12, 9), filters=[1])
note('single.h5', '/one', 8, '<u2', 3, (5, 7), filters=[1], index='single')
note('single.h5', '/implicit', 15, '<i4', 5, (6, 7), index='implicit')

# 4. Contiguous and compact layouts; chunks never written (fill value 7).
with h5py.File(f'{OUT}/layouts.h5', 'w') as f:
    f.create_dataset('contiguous', data=values(9, '<u1', 3, (10, 10)))
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_layout(h5d.COMPACT)
    data = values(10, '<u2', 2, (3, 4))
    dsid = h5d.create(f.id, b'compact', h5t.py_create(data.dtype), h5s.create_simple(data.shape), dcpl=dcpl)
    dsid.write(h5s.ALL, h5s.ALL, data)
    d = f.create_dataset('sparse', shape=(4, 6, 6), dtype='<u2', chunks=(1, 6, 6), fillvalue=7)
    d[1] = values(11, '<u2', 4, (6, 6))[1]
    d[3] = values(11, '<u2', 4, (6, 6))[3]
note('layouts.h5', '/contiguous', 9, '<u1', 3, (10, 10))
note('layouts.h5', '/compact', 10, '<u2', 2, (3, 4))
note('layouts.h5', '/sparse', 11, '<u2', 4, (6, 6), fill={'0': 7, '2': 7})

# 5. An EIGER master file linking to two data files; a NeXus file whose default chain leads to
#    an NXdata whose signal is a soft link into the EIGER master's links.
for k, (first, count) in enumerate([(0, 3), (3, 2)], start=1):
    with h5py.File(f'{OUT}/scan_data_{k:06d}.h5', 'w') as f:
        g = f.create_group('entry/data')
        d = bslz4_dataset(g, 'data', values(12, '<u4', 5, (24, 16))[first:first + count])
        # The stored bytes of each chunk, to tell a blob sent as stored from one re-encoded.
        for i in range(count):
            with open(f'{OUT}/scan_chunk_{first + i}.bin', 'wb') as out:
                out.write(d.read_direct_chunk((i, 0, 0))[1])
with h5py.File(f'{OUT}/scan_master.h5', 'w') as f:
    g = f.create_group('entry/data')
    g.attrs['NX_class'] = 'NXdata'
    for k in (1, 2):
        g[f'data_{k:06d}'] = h5py.ExternalLink(f'scan_data_{k:06d}.h5', '/entry/data/data')
    f.create_group('entry/instrument/detector').attrs['NX_class'] = 'NXdetector'
note('scan_master.h5', '/entry/data', 12, '<u4', 5, (24, 16), filters=[32008], members=2)
with h5py.File(f'{OUT}/nexus.h5', 'w') as f:
    f.attrs['default'] = 'entry'
    e = f.create_group('entry')
    e.attrs['NX_class'] = 'NXentry'
    e.attrs['default'] = 'plot'
    p = e.create_group('plot')
    p.attrs['NX_class'] = 'NXdata'
    p.attrs['signal'] = 'frames'
    e['measurement'] = h5py.ExternalLink('scan_master.h5', '/entry')
    p['frames'] = h5py.SoftLink('/entry/measurement/data/data_000002')
note('nexus.h5', '', 12, '<u4', 2, (24, 16), filters=[32008], first_frame=3)

# 6. Two unlimited dimensions: a version-2 B-tree index, one level of internal nodes without
#    filters, two with gzip (2600 chunks).
with h5py.File(f'{OUT}/btree2.h5', 'w', libver='latest') as f:
    f.create_dataset('two', data=values(13, '<u2', 60, (8, 8)), maxshape=(None, None, 8), chunks=(1, 4, 8))
    f.create_dataset('two_gzip', data=values(14, '<u2', 1300, (8, 8)), maxshape=(None, None, 8),
                     chunks=(1, 4, 8), compression='gzip')
note('btree2.h5', '/two', 13, '<u2', 60, (8, 8), index='btree-v2')
note('btree2.h5', '/two_gzip', 14, '<u2', 1300, (8, 8), filters=[1], index='btree-v2')

# 7. Not a stack of numbers: strings, and one dimension.
with h5py.File(f'{OUT}/other.h5', 'w') as f:
    f.create_dataset('names', data=[b'a', b'bc'])
    f.create_dataset('line', data=np.arange(5, dtype='<u2'))

with open(f'{OUT}/manifest.json', 'w') as f:
    json.dump(manifest, f)
