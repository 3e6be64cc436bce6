import { BSLZ4_WASM_BASE64 } from './bslz4-wasm.js'

// The few WebAssembly names used here (this project's TypeScript libraries do not declare them).
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { readonly exports: unknown }
}

interface Bslz4Exports {
  readonly memory: WasmMemory
  readonly __heap_base: { readonly value: number }
  decode_block(
    src: number,
    srcLen: number,
    scratch: number,
    planes: number,
    out: number,
    n: number,
    size: number,
  ): number
}

/** One block of a blob: where its LZ4 bytes are and how many elements it holds. */
export interface Bslz4Block {
  readonly offset: number
  readonly length: number
  readonly elements: number
}

/** A block the WebAssembly decoder refused (the TypeScript decoder then says why). */
export class Bslz4BlockFailed extends Error {
  constructor(
    readonly index: number,
    readonly code: number,
  ) {
    super(`bitshuffle-LZ4 block ${index}: error ${code}`)
  }
}

const PAGE = 65536
const ALIGN = 16

/**
 * The WebAssembly bitshuffle-LZ4 block decoder (`bslz4.c`, SIMD): one instance per thread,
 * its memory grown to the largest blob seen. Synchronous, like the TypeScript decoder.
 */
export class WasmBslz4 {
  readonly #x: Bslz4Exports
  readonly #base: number

  constructor(exports: Bslz4Exports) {
    this.#x = exports
    this.#base = align(Number(exports.__heap_base.value))
  }

  /**
   * Decode `blocks` of `blob` (each to `elements * elementSize` bytes) into `out`, back to back
   * from its start.
   * @throws Bslz4BlockFailed naming the first block that does not decode.
   */
  decodeBlocks(
    blob: Uint8Array,
    blocks: readonly Bslz4Block[],
    elementSize: number,
    out: Uint8Array,
  ): void {
    let largest = 0
    let total = 0
    for (const b of blocks) {
      largest = Math.max(largest, b.elements * elementSize)
      total += b.elements * elementSize
    }
    const src = this.#base
    const scratch = align(src + blob.length)
    const planes = align(scratch + largest + ALIGN)
    const dst = align(planes + largest + ALIGN)
    this.#reserve(dst + total + ALIGN)
    const memory = new Uint8Array(this.#x.memory.buffer)
    memory.set(blob, src)
    let at = dst
    for (const [index, b] of blocks.entries()) {
      const written = this.#x.decode_block(
        src + b.offset,
        b.length,
        scratch,
        planes,
        at,
        b.elements,
        elementSize,
      )
      if (written < 0) throw new Bslz4BlockFailed(index, written)
      at += written
    }
    out.set(memory.subarray(dst, dst + total))
  }

  #reserve(bytes: number): void {
    const memory = this.#x.memory
    const have = memory.buffer.byteLength
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE))
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN
}

let loaded: WasmBslz4 | null | undefined

/**
 * The WebAssembly decoder of this thread, compiled on first use; `undefined` where WebAssembly
 * (with SIMD) is not available, and then the TypeScript decoder does the work.
 */
export function wasmBslz4(): WasmBslz4 | undefined {
  if (loaded === undefined) {
    try {
      const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
      if (wasm === undefined) throw new Error('no WebAssembly')
      const module = new wasm.Module(Buffer.from(BSLZ4_WASM_BASE64, 'base64'))
      const instance = new wasm.Instance(module, {})
      loaded = new WasmBslz4(instance.exports as unknown as Bslz4Exports)
    } catch {
      loaded = null
    }
  }
  return loaded ?? undefined
}
