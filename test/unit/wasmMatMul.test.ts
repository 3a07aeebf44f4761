/**
 * The wasm backend's matrix products, which src/core/wasm/kernels/batchMatMul.ts reroutes, against a
 * plain JavaScript product: batched (attention's shapes), transposed either way, and
 * several products in a row (the wasm backend caches packed right-hand sides by tensor id).
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../src/core/wasm/backend';
import { gemmOptions } from '../../src/core/wasm/kernels/gemm';
import { GEMM_MODULE_BYTES } from '../../src/core/wasm/simd/kernels';
import { simdKernels, type WasmBackendLike } from '../../src/core/wasm/kernels/wasmHeap';
import { Rng } from '../../src/core/common/random';

before(async () => {
  await initBackend('wasm');
});

function random(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.next() - 0.5;
  return tf.tensor(data, shape);
}

/** [..., M, K] x [..., K, N] with optional transposes of the last two axes, in float64. */
function reference(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): Float64Array {
  const r = a.shape.length;
  const batch = a.shape.slice(0, -2).reduce((x, d) => x * d, 1);
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const M = transposeA ? aCols : aRows;
  const K = transposeA ? aRows : aCols;
  const N = transposeB ? bRows : bCols;
  assert.equal(r, b.shape.length);
  const av = a.dataSync();
  const bv = b.dataSync();
  const out = new Float64Array(batch * M * N);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const x = av[n * aRows * aCols + (transposeA ? k * aCols + i : i * aCols + k)];
          const y = bv[n * bRows * bCols + (transposeB ? j * bCols + k : k * bCols + j)];
          s += x * y;
        }
        out[n * M * N + i * N + j] = s;
      }
    }
  }
  return out;
}

const cases: Array<{ a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
  { a: [3, 2, 16, 16], b: [3, 2, 16, 8], tA: false, tB: false }, // probs @ v
  { a: [3, 2, 16, 8], b: [3, 2, 16, 8], tA: false, tB: true }, // q @ k^T
  { a: [3, 2, 16, 16], b: [3, 2, 16, 8], tA: true, tB: false }, // gradient of v
  { a: [4, 5, 7], b: [4, 7, 3], tA: false, tB: false },
  { a: [48, 32], b: [48, 16], tA: true, tB: false }, // a dense layer's weight gradient
  { a: [48, 32], b: [16, 32], tA: false, tB: true }, // x @ W^T
];

for (const c of cases) {
  test(`matMul ${JSON.stringify(c.a)}${c.tA ? 'ᵀ' : ''} x ${JSON.stringify(c.b)}${c.tB ? 'ᵀ' : ''} equals the plain product`, () => {
    // Twice with new inputs: a stale cache would answer the second with the first's b.
    for (const seed of [1, 2]) {
      const a = random(c.a, seed * 10);
      const b = random(c.b, seed * 10 + 1);
      const got = tf.matMul(a, b, c.tA, c.tB).dataSync();
      const want = reference(a, b, c.tA, c.tB);
      assert.equal(got.length, want.length);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
      assert.ok(worst < 1e-5, `max difference ${worst}`);
      tf.dispose([a, b]);
    }
  });
}

// The packed GEMM (kernels/gemm.ts) for products of 32 rows or more: rows not a multiple of
// the tile, K not a multiple of the K block (or of 4), several K blocks, wide B (packed
// panels past 2048 columns), with and without relaxed-SIMD fused multiply-adds, and the
// unpacked GEMM these products took before.
const packedCases: Array<{ a: number[]; b: number[] }> = [
  { a: [37, 19], b: [19, 8] },
  { a: [33, 300], b: [300, 24] }, // two K blocks of 152 and 148
  { a: [2, 50, 513], b: [2, 513, 16] }, // three K blocks, batched
  { a: [203, 64], b: [64, 40] }, // two row blocks
  { a: [34, 20], b: [20, 2056] },
];
for (const variant of [{ packed: true, fma: true }, { packed: true, fma: false }, { packed: false, fma: false }]) {
  for (const c of packedCases) {
    test(`matMul ${JSON.stringify(c.a)} x ${JSON.stringify(c.b)} ${JSON.stringify(variant)} equals the plain product`, () => {
      const saved = { ...gemmOptions };
      Object.assign(gemmOptions, variant);
      try {
        const a = random(c.a, 5);
        const b = random(c.b, 6);
        const got = tf.matMul(a, b).dataSync();
        const want = reference(a, b, false, false);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        assert.ok(worst < 1e-4, `max difference ${worst}`);
        tf.dispose([a, b]);
      } finally {
        Object.assign(gemmOptions, saved);
      }
    });
  }
}

test('the fused GEMM variant loads where relaxed SIMD validates', () => {
  const backend = tf.backend() as unknown as WasmBackendLike;
  const simd = simdKernels(backend);
  assert.ok(simd);
  assert.ok(simd.packed.plain);
  assert.equal(simd.packed.fma !== undefined, WebAssembly.validate(GEMM_MODULE_BYTES.fma));
});
