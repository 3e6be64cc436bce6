// A small CBOR decoder (RFC 8949) for the viewer: maps become plain objects, typed arrays
// (RFC 8746 tags 64–87) become typed arrays (64-bit integers as Float64Array), tag 40
// (multi-dimensional array) becomes { shape, data }, tag 1 a Date. No dependencies.

const decoder = new TextDecoder()

/** Decode one CBOR item from an ArrayBuffer. Throws on malformed input. */
export function decodeCbor(buffer) {
  const bytes = new Uint8Array(buffer)
  const view = new DataView(buffer)
  let pos = 0

  const argument = (info) => {
    if (info < 24) return info
    if (info === 24) return bytes[pos++]
    if (info === 25) {
      pos += 2
      return view.getUint16(pos - 2)
    }
    if (info === 26) {
      pos += 4
      return view.getUint32(pos - 4)
    }
    if (info === 27) {
      pos += 8
      return Number(view.getBigUint64(pos - 8))
    }
    if (info === 31) return -1
    throw new Error(`CBOR: bad additional information ${info} at ${pos}`)
  }

  const chunks = (major, n) => {
    if (n >= 0) {
      pos += n
      return bytes.subarray(pos - n, pos)
    }
    const parts = []
    while (bytes[pos] !== 0xff) {
      const head = bytes[pos++]
      if (head >> 5 !== major) throw new Error('CBOR: bad chunk in an indefinite string')
      parts.push(chunks(major, argument(head & 31)))
    }
    pos++
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
    let at = 0
    for (const p of parts) {
      out.set(p, at)
      at += p.length
    }
    return out
  }

  const item = () => {
    if (pos >= bytes.length) throw new Error('CBOR: unexpected end')
    const head = bytes[pos++]
    const major = head >> 5
    const info = head & 31
    switch (major) {
      case 0:
        return argument(info)
      case 1:
        return -1 - argument(info)
      case 2:
        return chunks(2, argument(info)).slice()
      case 3:
        return decoder.decode(chunks(3, argument(info)))
      case 4: {
        const n = argument(info)
        const out = []
        if (n >= 0) for (let i = 0; i < n; i++) out.push(item())
        else {
          while (bytes[pos] !== 0xff) out.push(item())
          pos++
        }
        return out
      }
      case 5: {
        const n = argument(info)
        const out = {}
        // defineProperty, not assignment: a key such as "__proto__" stays an own property and
        // never changes the object's prototype.
        const put = (key, value) =>
          Object.defineProperty(out, String(key), {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          })
        if (n >= 0) for (let i = 0; i < n; i++) put(item(), item())
        else {
          while (bytes[pos] !== 0xff) put(item(), item())
          pos++
        }
        return out
      }
      case 6:
        return tagged(argument(info), item())
      default:
        return simple(info)
    }
  }

  const simple = (info) => {
    if (info === 20) return false
    if (info === 21) return true
    if (info === 22) return null
    if (info === 23) return undefined
    if (info === 25) {
      pos += 2
      return half(view.getUint16(pos - 2))
    }
    if (info === 26) {
      pos += 4
      return view.getFloat32(pos - 4)
    }
    if (info === 27) {
      pos += 8
      return view.getFloat64(pos - 8)
    }
    if (info < 24) return info
    if (info === 24) return bytes[pos++]
    throw new Error(`CBOR: bad simple value ${info}`)
  }

  const result = item()
  return result
}

function tagged(tag, value) {
  if (tag >= 64 && tag <= 87 && value instanceof Uint8Array) return typedArray(tag, value)
  if (tag === 40 && Array.isArray(value) && value.length === 2) {
    return { shape: value[0], data: value[1] }
  }
  if (tag === 1 && typeof value === 'number') return new Date(value * 1000)
  return value
}

/** RFC 8746: tag bits 010 f s e ll (float, signed, little endian, size). */
function typedArray(tag, raw) {
  const f = (tag >> 4) & 1
  const s = (tag >> 3) & 1
  const little = ((tag >> 2) & 1) === 1
  const ll = tag & 3
  const size = f ? [2, 4, 8, 16][ll] : [1, 2, 4, 8][ll]
  const n = Math.floor(raw.length / size)
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
  if (f) {
    const out = ll === 1 ? new Float32Array(n) : new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const at = i * size
      if (ll === 0) out[i] = half(view.getUint16(at, little))
      else if (ll === 1) out[i] = view.getFloat32(at, little)
      else if (ll === 2) out[i] = view.getFloat64(at, little)
      else out[i] = Number.NaN
    }
    return out
  }
  if (ll === 0) return s ? new Int8Array(raw) : new Uint8Array(raw)
  const Type = [null, s ? Int16Array : Uint16Array, s ? Int32Array : Uint32Array, Float64Array][ll]
  const out = new Type(n)
  for (let i = 0; i < n; i++) {
    const at = i * size
    if (ll === 1) out[i] = s ? view.getInt16(at, little) : view.getUint16(at, little)
    else if (ll === 2) out[i] = s ? view.getInt32(at, little) : view.getUint32(at, little)
    else out[i] = Number(s ? view.getBigInt64(at, little) : view.getBigUint64(at, little))
  }
  return out
}

function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1
  const exp = (bits >> 10) & 0x1f
  const frac = bits & 0x3ff
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024)
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * 2 ** (exp - 15) * (1 + frac / 1024)
}
