/** The h5wasm module for Node (synchronous HDF5 on the real file system). */
export type H5wasm = typeof import('h5wasm/node')

let loading: Promise<H5wasm> | undefined

/**
 * Load h5wasm once, on first use: it compiles a 4 MB WebAssembly module, so nothing loads it
 * until a file is written (never at start-up, never per event). Later calls share the promise.
 */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async (h5) => {
    await h5.ready
    return h5
  })
  return loading
}
