/**
 * Matrix products with the SIMD module's GEMM (simd/kernels.ts) on the wasm heap, blocked
 * for the cache. Used by the BatchMatMul wrapper (wasmKernels.ts) and the fused dense op.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { SimdKernels } from './simd/kernels';
import { f32, pointer, type WasmBackendLike } from './wasmHeap';

/** About half of the 1 MiB L2 cache per core of the machine measured: the panel of B a block works on. */
const PANEL_BYTES = 512 * 1024;

/** B rows longer than this (8 KiB) are packed into panels first (see blockedGemm). */
const PACK_ABOVE_N = 2048;

/**
 * C = A B (contiguous row-major, M a multiple of 4, N of 8) with the panel of B it works on
 * kept in cache: the whole of B when it fits, else K in slices, C accumulating over them
 * ([304, 8192] x [8192, 128]: 48 ms unsliced, 28 sliced). Rows of B 16 KiB apart or more
 * (the vocabulary projection's [128, 8192]) alias in the L1 cache as the GEMM walks down a
 * column block, so such a B is first packed into contiguous [K, 8] panels. `accumulate`
 * adds the product to what C holds (a bias broadcast into it, say).
 */
export function blockedGemm(simd: SimdKernels, backend: WasmBackendLike, a: number, b: number, c: number, M: number, K: number, N: number, accumulate = false): void {
  if (N > PACK_ABOVE_N) {
    const panels = backend.makeOutput([K * N], 'float32');
    const packed = pointer(backend, panels);
    simd.pack_panels(b, packed, K, N);
    for (let j = 0; j < N; j += 8) simd.gemm(a, packed + j * K * 4, c + j * 4, M, K, 8, K * 4, 32, N * 4, accumulate ? 1 : 0);
    backend.disposeData(panels.dataId);
    return;
  }
  const ld = [K * 4, N * 4, N * 4] as const;
  const kBlock = Math.max(4, Math.floor(PANEL_BYTES / (N * 4) / 4) * 4);
  if (K <= kBlock) return simd.gemm(a, b, c, M, K, N, ...ld, accumulate ? 1 : 0);
  for (let k0 = 0; k0 < K; k0 += kBlock) simd.gemm(a + k0 * 4, b + k0 * N * 4, c, M, Math.min(kBlock, K - k0), N, ...ld, accumulate || k0 > 0 ? 1 : 0);
}


/**
 * Untransposed products of `batch` matrices [M, K] x [K, N] with the SIMD GEMM (blocks of 4
 * rows); the last M % 4 rows go through a zero-padded 4-row scratch matrix. With `bias`
 * ([N]), C starts as the bias in every row and the products are added to it.
 */
export function simdProduct(simd: SimdKernels, a: tf.TensorInfo, b: tf.TensorInfo, batch: number, backend: WasmBackendLike, bias?: tf.TensorInfo): tf.TensorInfo {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.shape.length - 1];
  const out = backend.makeOutput([...a.shape.slice(0, -2), M, N], 'float32');
  const main = M - (M % 4);
  const rest = M - main;
  const scratchA = rest > 0 ? backend.makeOutput([4, K], 'float32') : undefined;
  const scratchC = rest > 0 ? backend.makeOutput([4, N], 'float32') : undefined;
  if (bias) {
    fillRows(f32(backend, out), f32(backend, bias));
  }
  const accumulate = bias !== undefined;
  const [pa, pb, pc] = [pointer(backend, a), pointer(backend, b), pointer(backend, out)];
  for (let i = 0; i < batch; i++) {
    const [ai, bi, ci] = [pa + i * M * K * 4, pb + i * K * N * 4, pc + i * M * N * 4];
    if (main > 0) blockedGemm(simd, backend, ai, bi, ci, main, K, N, accumulate);
    if (scratchA && scratchC) {
      const heapA = f32(backend, scratchA);
      heapA.fill(0);
      heapA.set(f32(backend, a).subarray((i * M + main) * K, (i + 1) * M * K));
      if (bias) fillRows(f32(backend, scratchC), f32(backend, bias));
      blockedGemm(simd, backend, pointer(backend, scratchA), bi, pointer(backend, scratchC), 4, K, N, accumulate);
      f32(backend, out).set(f32(backend, scratchC).subarray(0, rest * N), (i * M + main) * N);
    }
  }
  if (scratchA) backend.disposeData(scratchA.dataId);
  if (scratchC) backend.disposeData(scratchC.dataId);
  return out;
}

/** Every row of `target` set to `row`: one copy, then copies of what is already filled. */
function fillRows(target: Float32Array, row: Float32Array): void {
  if (target.length === 0) return;
  target.set(row);
  for (let filled = row.length; filled < target.length; filled *= 2) target.copyWithin(filled, 0, Math.min(filled, target.length - filled));
}
