/**
 * The wasm backend's matrix products, which src/core/wasmKernels.ts reroutes, against a
 * plain JavaScript product: batched (attention's shapes), transposed either way, and
 * several products in a row (the wasm backend caches packed right-hand sides by tensor id).
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initBackend } from '../../src/core/backend';
import { Rng } from '../../src/core/random';

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
