/**
 * The wasm kernels of the fused ops (src/core/wasm/kernels/) against the composite tf ops they
 * replace: forward values and gradients (tf.grads) on random inputs, odd sizes included.
 * Both sides run on wasm; the composite is what the other backends run.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { adamwComposite, adamwUpdate, globalSumOfSquares } from '../../src/core/wasm/kernels/adamw';
import { attentionSoftmax, attentionSoftmaxComposite } from '../../src/core/wasm/kernels/attentionSoftmax';
import { dense, denseComposite } from '../../src/core/wasm/kernels/dense';
import { fusedDropout } from '../../src/core/wasm/kernels/dropout';
import { biasGelu, biasGeluComposite } from '../../src/core/wasm/kernels/gelu';
import { layerNorm, layerNormComposite } from '../../src/core/wasm/kernels/layerNorm';
import { kernelOptions, simdKernels, wasmKernelActive, type WasmBackendLike } from '../../src/core/wasm/kernels/wasmHeap';
import { dropoutMask } from '../../src/core/model/model';
import { deriveSeed, Rng } from '../../src/core/common/random';

before(async () => {
  await initBackend('wasm');
});

function random(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = offset + scale * (2 * rng.next() - 1);
  return tf.tensor(data, shape);
}

/** Every value of `actual` within atol + rtol * |expected|. */
function assertClose(actual: tf.Tensor, expected: tf.Tensor, what: string, atol = 1e-5, rtol = 1e-4): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (!(excess <= worst)) {
      worst = Number.isNaN(excess) ? Infinity : excess;
      at = i;
    }
  }
  assert.ok(at < 0, `${what}: at ${at} got ${a[at]}, expected ${e[at]}`);
}

/**
 * Forward values and the gradients of sum(y * w) for a fixed random w, fused against
 * composite, once with the SIMD kernels and once with the JavaScript loops.
 */
function compareOp(name: string, fused: (...xs: tf.Tensor[]) => tf.Tensor, composite: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol?: { atol?: number; rtol?: number }): void {
  for (const simd of [true, false]) {
    kernelOptions.simd = simd;
    try {
      compareOnce(`${name} (${simd ? 'simd' : 'js'})`, fused, composite, inputs, tol);
    } finally {
      kernelOptions.simd = true;
    }
  }
}

function compareOnce(name: string, fused: (...xs: tf.Tensor[]) => tf.Tensor, composite: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol?: { atol?: number; rtol?: number }): void {
  tf.tidy(() => {
    const yF = fused(...inputs);
    const yC = composite(...inputs);
    assertClose(yF, yC, `${name} forward`, tol?.atol, tol?.rtol);
    const w = random(yC.shape, 99);
    const gF = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fused(...xs), w)))(inputs);
    const gC = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(composite(...xs), w)))(inputs);
    gF.forEach((g, i) => assertClose(g, gC[i], `${name} gradient ${i}`, tol?.atol, tol?.rtol));
  });
}

test('the fused kernels are registered on wasm', () => {
  assert.ok(wasmKernelActive('ElectraLayerNorm'));
  assert.ok(wasmKernelActive('ElectraBiasGelu'));
  assert.ok(wasmKernelActive('ElectraAttentionSoftmax'));
  assert.ok(wasmKernelActive('ElectraDropout'));
  assert.ok(wasmKernelActive('ElectraAdamW'));
  assert.ok(wasmKernelActive('ElectraDense'));
  assert.ok(simdKernels(tf.backend() as unknown as WasmBackendLike), 'WebAssembly SIMD kernels instantiated on the wasm heap');
});

test('sums over leading axes match a float64 reference', () => {
  for (const shape of [[37, 12], [5, 3, 8], [64, 7], [2048, 128]]) {
    for (const simd of [true, false]) {
      kernelOptions.simd = simd;
      tf.tidy(() => {
        const x = random(shape, shape[0]);
        const values = x.dataSync();
        const lead = shape.length - 1;
        const cols = shape[lead];
        const rows = values.length / cols;
        const expected = new Float64Array(cols);
        for (let i = 0; i < values.length; i++) expected[i % cols] += values[i];
        const axes = Array.from({ length: lead }, (_, i) => i);
        // float32 accumulation over the rows, as tfjs's own last-axis Sum (9.8e-5 worst over
        // [2048, 128] here): allow that rounding.
        const atol = 2e-7 * rows;
        assertClose(tf.sum(x, axes), tf.tensor(Float32Array.from(expected), [cols]), `sum ${shape} over ${axes} (${simd ? 'simd' : 'js'}, ${rows} rows)`, atol, 1e-6);
        assertClose(tf.sum(x, axes, true), tf.tensor(Float32Array.from(expected), [...axes.map(() => 1), cols]), `sum ${shape} keepDims`, atol, 1e-6);
      });
      kernelOptions.simd = true;
    }
  }
});

test('LayerNorm kernel matches the composite, forward and gradients', () => {
  // 20 and 24 floats: the unrolled loops' remainder vectors (5 and 6 of them).
  for (const [rows, cols] of [[7, 13], [64, 128], [5, 1], [3, 33], [9, 4], [2, 36], [4, 20], [3, 24]]) {
    const x = random([rows, cols], rows * 31 + cols, 2, 0.5);
    const gamma = random([cols], 7, 1, 1);
    const beta = random([cols], 8);
    compareOp(`layerNorm [${rows},${cols}]`, (a, g, b) => layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-12), (a, g, b) => layerNormComposite(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-12), [x, gamma, beta], { atol: 2e-5 });
  }
  // Rank 3 and a larger epsilon.
  const x = random([2, 5, 9], 3, 3);
  compareOp('layerNorm [2,5,9]', (a, g, b) => layerNorm(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3), (a, g, b) => layerNormComposite(a, g as tf.Tensor1D, b as tf.Tensor1D, 1e-3), [x, random([9], 4, 1, 1), random([9], 5)]);
});

test('bias + GELU kernel matches the composite, forward and gradients', () => {
  // 12 and 20 floats: the unrolled loops' remainder vectors (3 and 5 of them).
  for (const [rows, cols] of [[7, 13], [64, 512], [1, 1], [3, 33], [5, 4], [3, 36], [4, 12], [2, 20]]) {
    const x = random([rows, cols], rows * 17 + cols, 6); // [-6, 6]: both tails of erf
    compareOp(`biasGelu [${rows},${cols}]`, (a, b) => biasGelu(a, b as tf.Tensor1D), (a, b) => biasGeluComposite(a, b as tf.Tensor1D), [x, random([cols], 11)], { atol: 1e-6, rtol: 1e-5 });
  }
});

test('the gradients reach every input, and a wrong kernel would be caught', () => {
  // Guards the comparison itself: a perturbed input must fail it.
  const x = random([4, 6], 1);
  const b = random([6], 2);
  assert.throws(() => assertClose(biasGelu(tf.add(x, 1e-3), b as tf.Tensor1D), biasGeluComposite(x, b as tf.Tensor1D), 'perturbed'));
});

test('transposed matMul operands: SIMD and JavaScript transposes give the same product', () => {
  for (const [m, k, n] of [[37, 21, 5], [64, 33, 16], [16, 128, 8]]) {
    tf.tidy(() => {
      const a = random([k, m], m);
      const b = random([n, k], n);
      const products = [true, false].map((simd) => {
        kernelOptions.simd = simd;
        try {
          return tf.matMul(a, b, true, true).dataSync().slice();
        } finally {
          kernelOptions.simd = true;
        }
      });
      const av = a.dataSync();
      const bv = b.dataSync();
      const expected = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += av[t * m + i] * bv[j * k + t];
        expected[i * n + j] = s;
      }
      for (const p of products) assertClose(tf.tensor(p, [m, n]), tf.tensor(expected, [m, n]), `matMul [${k},${m}]ᵀ x [${n},${k}]ᵀ`, 1e-5, 1e-4);
    });
  }
});

test('SIMD GEMM: batched and rank 2, row counts not a multiple of 4, against a float64 product', () => {
  const product = (av: Float32Array | Int32Array | Uint8Array, bv: Float32Array | Int32Array | Uint8Array, batch: number, m: number, k: number, n: number) => {
    const out = new Float32Array(batch * m * n);
    for (let t = 0; t < batch; t++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += av[(t * m + i) * k + q] * bv[(t * k + q) * n + j];
      out[(t * m + i) * n + j] = s;
    }
    return out;
  };
  // [1, 6, 1100, 128]: B over the cache panel, so K runs in slices with C accumulating.
  // [2, 5, 16, 2056]: N over 2048, so B is packed into panels first.
  for (const [batch, m, k, n] of [[3, 7, 12, 16], [2, 5, 1, 8], [1, 130, 33, 24], [4, 3, 9, 8], [1, 6, 1100, 128], [2, 5, 16, 2056]]) {
    tf.tidy(() => {
      const a = random([batch, m, k], m + k);
      const b = random([batch, k, n], n);
      const expected = product(a.dataSync(), b.dataSync(), batch, m, k, n);
      assertClose(tf.matMul(a, b), tf.tensor(expected, [batch, m, n]), `gemm [${batch},${m},${k}] x [${batch},${k},${n}]`, 1e-5, 1e-4);
      // Rank 2: every row of every matrix against the first b.
      const a2 = tf.reshape(a, [batch * m, k]);
      const b2 = tf.slice(tf.reshape(b, [batch * k, n]), [0, 0], [k, n]);
      assertClose(tf.matMul(a2, b2), tf.tensor(product(a2.dataSync(), b2.dataSync(), 1, batch * m, k, n), [batch * m, n]), `gemm [${batch * m},${k}] x [${k},${n}]`, 1e-5, 1e-4);
    });
  }
});

test('row gather matches indexing, and falls back on other axes', () => {
  tf.tidy(() => {
    const x = random([11, 3, 5], 4);
    const ids = [3, 0, 10, 3, 7];
    const got = tf.gather(x, tf.tensor1d(ids, 'int32'));
    const v = x.arraySync() as number[][][];
    assert.deepEqual(got.arraySync(), ids.map((i) => v[i]));
    const nested = tf.gather(x, tf.tensor2d([[1, 2], [9, 0]], [2, 2], 'int32'));
    assert.deepEqual(nested.arraySync(), [[v[1], v[2]], [v[9], v[0]]]);
    const onAxis1 = tf.gather(x, tf.tensor1d([2, 0], 'int32'), 1);
    assert.deepEqual(onAxis1.arraySync(), v.map((r) => [r[2], r[0]]));
  });
});

test('AdamW kernel gives the bits of the composite update; sum of squares matches', () => {
  for (const n of [1, 7, 64, 1030]) {
    for (const weightDecay of [0, 0.01]) {
      for (const simd of [true, false]) {
        kernelOptions.simd = simd;
        tf.tidy(() => {
          const p = random([n], n);
          const g = random([n], n + 1, 0.1);
          const m = random([n], n + 2, 0.01);
          const v = tf.abs(random([n], n + 3, 1e-4));
          const h = { beta1: 0.9, beta2: 0.999, epsilon: 1e-6, c1: 1 - 0.9 ** 3, c2: 1 - 0.999 ** 3, lr: 3e-4, weightDecay };
          const fused = adamwUpdate(p, g, m, v, h);
          const composite = adamwComposite(p, g, m, v, h);
          // Bit for bit where it can be: same float32 operations in the same order.
          fused.forEach((t, i) => assertClose(t, composite[i], `adamw n=${n} wd=${weightDecay} ${simd ? 'simd' : 'js'} output ${i}`, 0, 0));
        });
        kernelOptions.simd = true;
      }
    }
  }
  tf.tidy(() => {
    const ts = [random([5], 1), random([16, 3], 2), random([1030], 3)];
    let expected = 0;
    for (const t of ts) for (const x of t.dataSync()) expected += x * x;
    for (const simd of [true, false]) {
      kernelOptions.simd = simd;
      const got = globalSumOfSquares(ts);
      kernelOptions.simd = true;
      assert.ok(Math.abs(got - expected) <= 1e-5 * expected, `sum of squares ${got} vs ${expected}`);
    }
  });
});

test('dropout kernel draws dropoutMask\'s mask, bit for bit, and its gradient is the mask', () => {
  for (const [shape, rate] of [[[6, 5, 7], 0.1], [[16, 2, 8, 8], 0.1], [[9, 3], 0.3], [[4, 1], 0.1], [[3, 33], 0.5], [[2, 1], 0.25]] as Array<[number[], number]>) {
    const batch = shape[0];
    const seeds = Array.from({ length: batch }, (_, b) => deriveSeed(42, 'site', b));
    for (const simd of [true, false]) {
      kernelOptions.simd = simd;
      tf.tidy(() => {
        const x = random(shape, batch);
        const mask = tf.tensor(dropoutMask(x.size, batch, rate, (b) => seeds[b]), shape);
        const what = `dropout [${shape}] rate ${rate} (${simd ? 'simd' : 'js'})`;
        const fused = fusedDropout(x, rate, seeds);
        assert.ok(fused, `${what}: kernel ran`);
        assertClose(fused, tf.mul(x, mask), what, 0, 0);
        const w = random(shape, 5);
        const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(fusedDropout(t, rate, seeds)!, w)))([x]);
        assertClose(g, tf.mul(w, mask), `${what} gradient`, 0, 0);
      });
      kernelOptions.simd = true;
    }
  }
});

test('attention softmax kernel matches the composite, forward and gradient', () => {
  // Tk 4, 12, 20 and 36 have remainder vectors after the unrolled loops; 32 has none.
  for (const [B, nh, Tq, Tk] of [[2, 2, 5, 8], [3, 1, 4, 12], [1, 3, 7, 5], [2, 1, 3, 4], [2, 2, 3, 20], [2, 1, 4, 32], [1, 2, 2, 36]]) {
    // Padding: the last key of every other example is masked.
    const mask = tf.tensor2d(Array.from({ length: B * Tk }, (_, i) => (i % Tk === Tk - 1 && Math.floor(i / Tk) % 2 === 0 ? 0 : 1)), [B, Tk]);
    const bias = tf.reshape(tf.mul(tf.sub(1, mask), -10000), [B, 1, 1, Tk]) as tf.Tensor4D;
    const scores = random([B, nh, Tq, Tk], B * Tk, 4);
    compareOp(`attentionSoftmax [${B},${nh},${Tq},${Tk}]`, (s) => attentionSoftmax(s as tf.Tensor4D, bias, 0.125), (s) => attentionSoftmaxComposite(s as tf.Tensor4D, bias, 0.125), [scores], { atol: 1e-6, rtol: 1e-5 });
  }
});

test('dense kernel (bias fused into the GEMM) matches the composite, forward and gradients', () => {
  // [37, 300, 24]: the packed GEMM accumulating onto the bias over two K blocks, 37 rows (not a multiple of its 5-row tile).
  for (const [rows, inp, out] of [[7, 13, 16], [64, 32, 128], [6, 128, 2056], [5, 8, 3], [37, 300, 24]]) {
    const x = random([rows, inp], rows + inp);
    const w = random([out, inp], out, 0.5);
    const b = random([out], 3);
    compareOp(`dense [${rows},${inp}] x [${out},${inp}]^T`, (a, ww, bb) => dense(a as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), (a, ww, bb) => denseComposite(a as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), [x, w, b], { atol: 1e-5, rtol: 1e-4 });
  }
});
