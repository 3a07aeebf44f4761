/**
 * Scoring's forward pass on the wasm heap (src/core/score/discriminatorInference.ts) against its
 * definition, the model's tf ops: the same probabilities for every real token, with the
 * embedding projection (micro) and without (tiny), padding inside and past the sequences,
 * and weights far from their initial values so that the probabilities spread.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { presetConfig, type PresetName } from '../../src/core/model/presets';
import { discriminatorProbabilities } from '../../src/core/parallel';
import { DiscriminatorInference } from '../../src/core/score/discriminatorInference';
import { kernelOptions } from '../../src/core/wasm/kernels/wasmHeap';
import { ElectraModel } from '../../src/core/model/model';
import type { Batch } from '../../src/core/model/objective';
import { Rng } from '../../src/core/common/random';

before(async () => {
  await initBackend('wasm');
});

/** A model whose every parameter is random and large enough to matter (LayerNorm gains around 1). */
function randomModel(preset: PresetName, seed: number): ElectraModel {
  const model = new ElectraModel(presetConfig(preset), seed);
  const rng = new Rng(seed);
  const values = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) {
    const data = new Float32Array(v.size);
    const gain = /LayerNorm\.weight$/.test(name);
    const scale = name.endsWith('.bias') ? 0.1 : gain ? 0.3 : (name.includes('dense_prediction') ? 4 : 1) / Math.sqrt(v.shape[v.shape.length - 1]);
    for (let i = 0; i < data.length; i++) data[i] = (gain ? 1 : 0) + scale * (2 * rng.next() - 1);
    values.set(name, tf.tensor(data, v.shape));
  }
  model.assign(values);
  tf.dispose([...values.values()]);
  return model;
}

function batchOf(model: ElectraModel, B: number, T: number, seed: number, paddedAtEnd: number): Batch {
  const rng = new Rng(seed);
  const ids = new Int32Array(B * T).map(() => 5 + rng.int(model.config.vocabSize - 5));
  const attentionMask = new Float32Array(B * T).fill(1);
  // The last example ends early: its tail is padding, as the Scorer pads shorter windows.
  if (B > 1) {
    attentionMask.fill(0, B * T - paddedAtEnd);
    ids.fill(0, B * T - paddedAtEnd);
  }
  return { ids, attentionMask, batchSize: B, seqLength: T };
}

for (const preset of ['micro', 'tiny'] as const) {
  test(`${preset}: the same probabilities as the model's tf ops`, () => {
    const model = randomModel(preset, 11);
    const pass = DiscriminatorInference.create(model);
    assert.ok(pass, 'the pass runs on wasm with SIMD');
    try {
      const T = model.config.maxSeqLength;
      // Lengths a multiple of 8 and not (keys padded to the GEMM's panel width inside).
      for (const [B, len, padded] of [[1, T, 0], [3, 13, 5], [2, T - 3, 40]]) {
        const batch = batchOf(model, B, len, B * 100 + len, padded);
        const expected = discriminatorProbabilities(model, batch);
        const actual = pass.probabilities(batch);
        assert.equal(actual.length, expected.length);
        let worst = 0;
        let sum = 0;
        let sumSq = 0;
        let n = 0;
        for (let i = 0; i < expected.length; i++) {
          if (batch.attentionMask[i] === 0) continue; // padding: no score is read there
          worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
          sum += expected[i];
          sumSq += expected[i] * expected[i];
          n++;
        }
        const spread = Math.sqrt(sumSq / n - (sum / n) ** 2);
        assert.ok(spread > 0.05, `the probabilities spread (sd ${spread.toFixed(3)}), so agreement means something`);
        assert.ok(worst < 5e-6, `B ${B}, T ${len}: probabilities differ by up to ${worst}`);
      }
    } finally {
      pass.dispose();
      model.dispose();
    }
  });
}

test('a snapshot of the weights: later changes to the model do not reach it, and dispose frees its memory', () => {
  const backend = tf.backend();
  const model = randomModel('micro', 3);
  const buffersBefore = backend.numDataIds();
  const pass = DiscriminatorInference.create(model)!;
  const batch = batchOf(model, 1, 32, 7, 0);
  const before = pass.probabilities(batch);
  const other = randomModel('micro', 4);
  const values = new Map([...other.params].map(([name, v]) => [name, v as tf.Tensor]));
  model.assign(values);
  other.dispose();
  assert.deepEqual(pass.probabilities(batch), before);
  assert.notDeepEqual(discriminatorProbabilities(model, batch), before);
  pass.dispose();
  assert.equal(backend.numDataIds(), buffersBefore, 'heap buffers after dispose');
  assert.throws(() => pass.probabilities(batch), /after dispose/);
  model.dispose();
});

test('no pass without the SIMD kernels: callers fall back on the tf ops', () => {
  const model = new ElectraModel(presetConfig('micro'), 1);
  kernelOptions.simd = false;
  try {
    assert.equal(DiscriminatorInference.create(model), undefined);
  } finally {
    kernelOptions.simd = true;
    model.dispose();
  }
});
