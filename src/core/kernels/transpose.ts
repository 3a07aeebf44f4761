/**
 * Transposition of the last two axes, in JavaScript over the wasm heap: the fallback of
 * the SIMD module's transpose_rows (simd/kernels.ts) where WebAssembly SIMD is missing.
 *
 * tfjs-backend-wasm 4.22's Transpose takes 3.4 ms for a [2048, 128] matrix here, as long as
 * the XNNPACK product it feeds (every weight gradient transposes its activations first,
 * see wasmKernels.ts). Copying in 32 x 32 tiles, so that both the rows read and the
 * columns written stay in cache, takes a fraction of a millisecond.
 */
const TILE = 32;

/** dst[b, c, r] = src[b, r, c] for `batch` matrices of rows x cols. */
export function transposeLastTwo(src: Float32Array | Int32Array, dst: Float32Array | Int32Array, batch: number, rows: number, cols: number): void {
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const base = b * size;
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const rEnd = Math.min(r0 + TILE, rows);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const cEnd = Math.min(c0 + TILE, cols);
        for (let r = r0; r < rEnd; r++) {
          const from = base + r * cols;
          for (let c = c0; c < cEnd; c++) dst[base + c * rows + r] = src[from + c];
        }
      }
    }
  }
}
