/**
 * Matrix products with the SIMD GEMM kernels (gemm.wat, gemm.relaxed.wat) on the wasm heap,
 * blocked for the cache. Used by the BatchMatMul override (batchMatMul.ts) and the fused
 * dense op. Their speed against XNNPACK: docs/benchmarks.md, Kernels.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { GEMM_MR, type SimdKernels } from '../simd/kernels';
import { f32, pointer, type WasmBackendLike } from './wasmHeap';

/** About half of the 1 MiB L2 cache per core of the development machine: the panel of B a block works on. */
const PANEL_BYTES = 512 * 1024;

/** B rows longer than this (8 KiB) are packed into panels first (see blockedGemm). */
const PACK_ABOVE_N = 2048;

/**
 * C = A B (contiguous row-major, N a multiple of 8). Products of 32 rows or more take the
 * packed GEMM (packedGemm, the faster on the model's shapes); smaller ones, M a multiple of 4, the unpacked GEMM with the panel of B it works on
 * kept in cache: the whole of B when it fits, else K in slices, C accumulating over them
 * (which pays off for the vocabulary projection's gradient, [304, 8192] x [8192, 128]). Rows of B 16 KiB apart or more
 * (the vocabulary projection's [128, 8192]) alias in the L1 cache as the GEMM walks down a
 * column block, so such a B is first packed into contiguous [K, 8] panels. `accumulate`
 * adds the product to what C holds (a bias broadcast into it, say).
 */
export function blockedGemm(simd: SimdKernels, backend: WasmBackendLike, a: number, b: number, c: number, M: number, K: number, N: number, accumulate = false): void {
  if (gemmOptions.packed && M >= PACKED_MIN_M && K >= 16) return packedGemm(simd, backend, a, b, c, M, K, N, accumulate);
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

/** Set by tests and benchmarks: the packed GEMM for larger products, and its fused variant where available. */
export const gemmOptions = { packed: true, fma: true };

/** Products with fewer rows take the unpacked GEMM (attention's many small ones). */
const PACKED_MIN_M = 32;
/** K per block: [KC, 8] panels of B (8 KiB) stay in L1 while the tiles of A stream past. */
const KC = 256;
/** Rows of A per block: MC x KC of packed A (about 200 KiB) stays in L2. */
const MC = Math.floor(192 / GEMM_MR) * GEMM_MR;

/** The depth of the packed GEMM's blocks of K: about KC, a multiple of 4 (the last block may be shallower). */
function blockDepth(K: number): number {
  return Math.ceil(K / Math.ceil(K / KC) / 4) * 4;
}

/** The packed kernel: fused multiply-adds where available and wanted. */
function packedKernel(simd: SimdKernels) {
  return (gemmOptions.fma ? simd.packed.fma : undefined) ?? simd.packed.plain;
}

/**
 * C (+)= A B for one block of K, kb deep, whose B is packed at `pb`: A in blocks of MC rows
 * (rows lda bytes apart), each packed into `scratch` (MC x kb floats), C's rows ldc apart.
 */
function blockProduct(simd: SimdKernels, a: number, lda: number, pb: number, c: number, ldc: number, M: number, kb: number, N: number, accumulate: boolean, scratch: number): void {
  const kernel = packedKernel(simd);
  for (let i0 = 0; i0 < M; i0 += MC) {
    const mb = Math.min(MC, M - i0);
    kernel.pack_a(a + i0 * lda, lda, mb, kb, scratch);
    kernel.gemm_packed(scratch, pb, c + i0 * ldc, mb, kb, N, ldc, accumulate ? 1 : 0);
  }
}

/**
 * C (+)= A B (contiguous row-major, any M, N a multiple of 8) in the GotoBLAS way: K in blocks
 * of about KC, each block of B packed into [kc, 8] panels, then A in blocks of MC rows packed
 * into tiles of GEMM_MR rows, and the packed kernel over the pair.
 */
function packedGemm(simd: SimdKernels, backend: WasmBackendLike, a: number, b: number, c: number, M: number, K: number, N: number, accumulate: boolean): void {
  const kc = blockDepth(K);
  const mc = Math.min(MC, Math.ceil(M / GEMM_MR) * GEMM_MR);
  const bufB = backend.makeOutput([kc * N], 'float32');
  const bufA = backend.makeOutput([mc * kc], 'float32');
  const [pb, pa] = [pointer(backend, bufB), pointer(backend, bufA)];
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = Math.min(kc, K - k0);
    simd.pack_panels(b + k0 * N * 4, pb, kb, N);
    blockProduct(simd, a + k0 * 4, K * 4, pb, c, N * 4, M, kb, N, accumulate || k0 > 0, pa);
  }
  backend.disposeData(bufB.dataId);
  backend.disposeData(bufA.dataId);
}

/**
 * Writes B [K, N] (N a multiple of 8), whose element (k, n) is src[base + k * sk + n * sn],
 * as the panels gemmPrepacked reads: K in packedGemm's blocks, each block N / 8 panels of
 * [kb, 8] one after another, K * N floats in all from dst[at]. The strides let an operand be
 * packed from wherever it lies: a dense weight [N, K] (sk 1, sn K) needs no transposing
 * first, one head's keys or values are read in place from the rows of a fused projection.
 */
export function packPanelsStrided(src: Float32Array, base: number, sk: number, sn: number, K: number, N: number, dst: Float32Array, at: number): void {
  const kc = blockDepth(K);
  let o = at;
  for (let k0 = 0; k0 < K; k0 += kc) {
    const kb = Math.min(kc, K - k0);
    for (let j = 0; j < N; j += 8) {
      for (let k = k0, row = base + k0 * sk + j * sn; k < k0 + kb; k++, row += sk, o += 8) {
        // The panel's row of 8 written out: V8 runs a loop here much slower.
        dst[o] = src[row];
        dst[o + 1] = src[row + sn];
        dst[o + 2] = src[row + 2 * sn];
        dst[o + 3] = src[row + 3 * sn];
        dst[o + 4] = src[row + 4 * sn];
        dst[o + 5] = src[row + 5 * sn];
        dst[o + 6] = src[row + 6 * sn];
        dst[o + 7] = src[row + 7 * sn];
      }
    }
  }
}

/** Floats of scratch gemmPrepacked needs for packing A, for products over K. */
export function prepackedScratchFloats(K: number): number {
  return MC * blockDepth(K);
}

/**
 * C (+)= A B with B already packed by packPanelsStrided at byte offset `pb` (a constant
 * weight, packed once). A's rows are `lda` bytes apart, C's `ldc`: a block of columns of a
 * wider matrix (one attention head) works in place. `scratch` holds
 * prepackedScratchFloats(K) floats.
 */
export function gemmPrepacked(simd: SimdKernels, a: number, lda: number, pb: number, c: number, ldc: number, M: number, K: number, N: number, accumulate: boolean, scratch: number): void {
  const kc = blockDepth(K);
  for (let k0 = 0; k0 < K; k0 += kc) {
    blockProduct(simd, a + k0 * 4, lda, pb + k0 * N * 4, c, ldc, M, Math.min(kc, K - k0), N, accumulate || k0 > 0, scratch);
  }
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
