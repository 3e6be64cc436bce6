// Bitshuffle-LZ4 block decoding for beamloom, compiled to WebAssembly with SIMD
// (scripts/build-wasm.sh; the module is embedded in bslz4-wasm.ts). One call decodes one
// block: LZ4 into `scratch`, then the bit transposition of bitshuffle into `out`.
// The framing (header, length prefixes, truncation) stays in TypeScript
// (src/codec/bitshuffle-lz4.ts), which also holds the reference implementation that the
// tests compare this one with. Every access is bounds-checked against the caller's sizes.

#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

#define ERR_END_EARLY -1      // the block ends before its final literal run
#define ERR_LITERALS -2       // a literal run goes past the input or the output
#define ERR_OFFSET -3         // a match offset is cut off, zero or before the output's start
#define ERR_MATCH -4          // a match runs past the output, or its length past the input
#define ERR_SIZE -5           // the block did not decompress to exactly its size
#define ERR_ARGS -6           // bad arguments (a programming error)

static int lz4_decompress(const uint8_t *src, uint32_t src_len, uint8_t *dst, uint32_t dst_len) {
  const uint8_t *ip = src, *const iend = src + src_len;
  uint8_t *op = dst, *const oend = dst + dst_len;
  if (src_len == 0) return ERR_END_EARLY;
  for (;;) {
    if (ip >= iend) return ERR_END_EARLY;
    const unsigned token = *ip++;
    uint32_t lit = token >> 4;
    if (lit == 15) {
      unsigned b;
      do {
        if (ip >= iend) return ERR_LITERALS;
        b = *ip++;
        lit += b;
      } while (b == 255);
    }
    if (lit > (uint32_t)(iend - ip) || lit > (uint32_t)(oend - op)) return ERR_LITERALS;
    __builtin_memcpy(op, ip, lit);
    op += lit;
    ip += lit;
    if (ip == iend) break;  // the last sequence has literals only
    if (iend - ip < 2) return ERR_OFFSET;
    const uint32_t offset = (uint32_t)ip[0] | ((uint32_t)ip[1] << 8);
    ip += 2;
    if (offset == 0 || offset > (uint32_t)(op - dst)) return ERR_OFFSET;
    uint32_t len = token & 15;
    if (len == 15) {
      unsigned b;
      do {
        if (ip >= iend) return ERR_MATCH;
        b = *ip++;
        len += b;
      } while (b == 255);
    }
    len += 4;
    if (len > (uint32_t)(oend - op)) return ERR_MATCH;
    const uint8_t *match = op - offset;
    if (offset >= 16 && (uint32_t)(oend - op) >= len + 16) {
      // 16 bytes at a time; the last store may write past `len` but stays inside the output
      // and is overwritten by what follows.
      uint8_t *const end = op + len;
      while (op < end) {
        wasm_v128_store(op, wasm_v128_load(match));
        op += 16;
        match += 16;
      }
      op = end;
    } else if (offset >= len) {
      __builtin_memcpy(op, match, len);
      op += len;
    } else {
      // Overlapping: a pattern of period `offset`, which is also a period of any multiple of
      // it, so copy non-overlapping pieces whose distance doubles (zero runs are offset 1).
      uint32_t distance = offset;
      while (len > 0) {
        const uint32_t piece = distance < len ? distance : len;
        __builtin_memcpy(op, op - distance, piece);
        op += piece;
        len -= piece;
        distance += piece;
      }
    }
  }
  return (int)(op - dst);
}

// The 8x8 bit transpose of each 64-bit lane: byte b, bit m -> byte m, bit b.
static inline v128_t transpose_bits(v128_t x) {
  v128_t t = wasm_v128_and(wasm_v128_xor(x, wasm_u64x2_shr(x, 7)), wasm_i64x2_splat(0x00AA00AA00AA00AALL));
  x = wasm_v128_xor(x, wasm_v128_xor(t, wasm_i64x2_shl(t, 7)));
  t = wasm_v128_and(wasm_v128_xor(x, wasm_u64x2_shr(x, 14)), wasm_i64x2_splat(0x0000CCCC0000CCCCLL));
  x = wasm_v128_xor(x, wasm_v128_xor(t, wasm_i64x2_shl(t, 14)));
  t = wasm_v128_and(wasm_v128_xor(x, wasm_u64x2_shr(x, 28)), wasm_i64x2_splat(0x00000000F0F0F0F0LL));
  return wasm_v128_xor(x, wasm_v128_xor(t, wasm_i64x2_shl(t, 28)));
}

static inline uint64_t transpose_bits64(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL;
  return x ^ t ^ (t << 28);
}

#define UNPACK_LO8(a, b) wasm_i8x16_shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23)
#define UNPACK_HI8(a, b) wasm_i8x16_shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
#define UNPACK_LO16(a, b) wasm_i8x16_shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23)
#define UNPACK_HI16(a, b) wasm_i8x16_shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31)
#define UNPACK_LO32(a, b) wasm_i8x16_shuffle(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23)
#define UNPACK_HI32(a, b) wasm_i8x16_shuffle(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31)
#define UNPACK_LO64(a, b) wasm_i8x16_shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23)
#define UNPACK_HI64(a, b) wasm_i8x16_shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31)

// Byte j of every element of the block (one "plane", n bytes) from the 8 rows of byte j.
static void unshuffle_plane(const uint8_t *rows, uint32_t row_bytes, uint8_t *plane) {
  uint32_t k = 0;
  for (; k + 16 <= row_bytes; k += 16) {
    const uint8_t *r = rows + k;
    v128_t r0 = wasm_v128_load(r), r1 = wasm_v128_load(r + row_bytes);
    v128_t r2 = wasm_v128_load(r + 2 * row_bytes), r3 = wasm_v128_load(r + 3 * row_bytes);
    v128_t r4 = wasm_v128_load(r + 4 * row_bytes), r5 = wasm_v128_load(r + 5 * row_bytes);
    v128_t r6 = wasm_v128_load(r + 6 * row_bytes), r7 = wasm_v128_load(r + 7 * row_bytes);
    // Byte transpose: word g (8 bytes) = row 0..7 at k + g.
    v128_t a01l = UNPACK_LO8(r0, r1), a01h = UNPACK_HI8(r0, r1);
    v128_t a23l = UNPACK_LO8(r2, r3), a23h = UNPACK_HI8(r2, r3);
    v128_t a45l = UNPACK_LO8(r4, r5), a45h = UNPACK_HI8(r4, r5);
    v128_t a67l = UNPACK_LO8(r6, r7), a67h = UNPACK_HI8(r6, r7);
    v128_t b0 = UNPACK_LO16(a01l, a23l), b1 = UNPACK_HI16(a01l, a23l);
    v128_t b2 = UNPACK_LO16(a01h, a23h), b3 = UNPACK_HI16(a01h, a23h);
    v128_t c0 = UNPACK_LO16(a45l, a67l), c1 = UNPACK_HI16(a45l, a67l);
    v128_t c2 = UNPACK_LO16(a45h, a67h), c3 = UNPACK_HI16(a45h, a67h);
    uint8_t *o = plane + 8 * k;
    wasm_v128_store(o, transpose_bits(UNPACK_LO32(b0, c0)));
    wasm_v128_store(o + 16, transpose_bits(UNPACK_HI32(b0, c0)));
    wasm_v128_store(o + 32, transpose_bits(UNPACK_LO32(b1, c1)));
    wasm_v128_store(o + 48, transpose_bits(UNPACK_HI32(b1, c1)));
    wasm_v128_store(o + 64, transpose_bits(UNPACK_LO32(b2, c2)));
    wasm_v128_store(o + 80, transpose_bits(UNPACK_HI32(b2, c2)));
    wasm_v128_store(o + 96, transpose_bits(UNPACK_LO32(b3, c3)));
    wasm_v128_store(o + 112, transpose_bits(UNPACK_HI32(b3, c3)));
  }
  for (; k < row_bytes; k++) {
    uint64_t x = 0;
    for (int b = 0; b < 8; b++) x |= (uint64_t)rows[k + b * row_bytes] << (8 * b);
    x = transpose_bits64(x);
    __builtin_memcpy(plane + 8 * k, &x, 8);
  }
}

// Elements from their byte planes: out[i * size + j] = planes[j * n + i].
static void interleave(const uint8_t *planes, uint32_t n, uint32_t size, uint8_t *out) {
  uint32_t i = 0;
  if (size == 2) {
    for (; i + 16 <= n; i += 16) {
      v128_t p0 = wasm_v128_load(planes + i), p1 = wasm_v128_load(planes + n + i);
      wasm_v128_store(out + 2 * i, UNPACK_LO8(p0, p1));
      wasm_v128_store(out + 2 * i + 16, UNPACK_HI8(p0, p1));
    }
  } else if (size == 4) {
    for (; i + 16 <= n; i += 16) {
      v128_t p0 = wasm_v128_load(planes + i), p1 = wasm_v128_load(planes + n + i);
      v128_t p2 = wasm_v128_load(planes + 2 * n + i), p3 = wasm_v128_load(planes + 3 * n + i);
      v128_t l01 = UNPACK_LO8(p0, p1), h01 = UNPACK_HI8(p0, p1);
      v128_t l23 = UNPACK_LO8(p2, p3), h23 = UNPACK_HI8(p2, p3);
      uint8_t *o = out + 4 * i;
      wasm_v128_store(o, UNPACK_LO16(l01, l23));
      wasm_v128_store(o + 16, UNPACK_HI16(l01, l23));
      wasm_v128_store(o + 32, UNPACK_LO16(h01, h23));
      wasm_v128_store(o + 48, UNPACK_HI16(h01, h23));
    }
  } else if (size == 8) {
    for (; i + 16 <= n; i += 16) {
      v128_t p[8];
      for (int j = 0; j < 8; j++) p[j] = wasm_v128_load(planes + j * n + i);
      v128_t l01 = UNPACK_LO8(p[0], p[1]), h01 = UNPACK_HI8(p[0], p[1]);
      v128_t l23 = UNPACK_LO8(p[2], p[3]), h23 = UNPACK_HI8(p[2], p[3]);
      v128_t l45 = UNPACK_LO8(p[4], p[5]), h45 = UNPACK_HI8(p[4], p[5]);
      v128_t l67 = UNPACK_LO8(p[6], p[7]), h67 = UNPACK_HI8(p[6], p[7]);
      v128_t q[8] = {
          UNPACK_LO16(l01, l23), UNPACK_HI16(l01, l23), UNPACK_LO16(h01, h23), UNPACK_HI16(h01, h23),
          UNPACK_LO16(l45, l67), UNPACK_HI16(l45, l67), UNPACK_LO16(h45, h67), UNPACK_HI16(h45, h67),
      };
      uint8_t *o = out + 8 * i;
      for (int g = 0; g < 4; g++) {
        wasm_v128_store(o + 32 * g, UNPACK_LO32(q[g], q[g + 4]));
        wasm_v128_store(o + 32 * g + 16, UNPACK_HI32(q[g], q[g + 4]));
      }
    }
  }
  for (; i < n; i++)
    for (uint32_t j = 0; j < size; j++) out[i * size + j] = planes[j * n + i];
}

// Decode one block: `src_len` bytes of LZ4 at `src` to `n` elements of `size` bytes at `out`.
// `scratch` holds n * size bytes (the shuffled rows); `planes` n * size bytes when size > 1.
// Returns n * size, or a negative ERR_* code.
__attribute__((export_name("decode_block"))) int decode_block(const uint8_t *src, uint32_t src_len,
                                                                uint8_t *scratch, uint8_t *planes,
                                                                uint8_t *out, uint32_t n,
                                                                uint32_t size) {
  if (n % 8 != 0 || size == 0) return ERR_ARGS;
  const uint32_t bytes = n * size;
  const int written = lz4_decompress(src, src_len, scratch, bytes);
  if (written < 0) return written;
  if ((uint32_t)written != bytes) return ERR_SIZE;
  const uint32_t row_bytes = n / 8;
  if (size == 1) {
    unshuffle_plane(scratch, row_bytes, out);
    return (int)bytes;
  }
  for (uint32_t j = 0; j < size; j++) unshuffle_plane(scratch + j * 8 * row_bytes, row_bytes, planes + j * n);
  interleave(planes, n, size, out);
  return (int)bytes;
}
