/**
 * Training FLOPs (src/core/model/flops.ts): a hand count for the micro preset, and the
 * count against the matrix products one real training pass runs (read from tf.profile),
 * for ELECTRA and for the masked LM.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { withObjective, type ElectraConfig } from '../../src/core/model/config';
import { presetConfig } from '../../src/core/model/presets';
import { formatFlops, parseFlops, trainingFlops } from '../../src/core/model/flops';
import { ElectraModel } from '../../src/core/model/model';
import { maskBatch } from '../../src/core/model/masking';
import { maskingFor, pretrainingLoss } from '../../src/core/model/pretrainingObjective';
import { Rng } from '../../src/core/common/random';

const SPECIAL = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };

test('micro ELECTRA step: the hand count', () => {
  // micro: V 1024, E 24, T 64; discriminator H 32, 2 layers, FFN 64; generator H 16, 2 layers, FFN 32.
  // A batch of B = 8 full sequences (N = 512 tokens) with P = 72 masked positions.
  const N = 8 * 64;
  const genEncoder =
    2 * N * 24 * 16 + // embeddings_project 24 -> 16
    2 * (4 * (2 * N * 16 * 16) + // layers x (query, key, value, attention output)
      2 * (2 * 8 * 64 * 64 * 16) + // scores and context: B x [T, H] x [H, T]
      2 * N * 16 * 32 + 2 * N * 32 * 16); // FFN
  assert.equal(genEncoder, 8_781_824);
  const genHead = 2 * 72 * 16 * 24 + 2 * 72 * 24 * 1024; // dense 16 -> 24, tied 24 -> 1024, at the 72 masked positions
  assert.equal(genHead, 3_594_240);
  const discEncoder = 2 * N * 24 * 32 + 2 * (4 * (2 * N * 32 * 32) + 2 * (2 * 8 * 64 * 64 * 32) + 2 * N * 32 * 64 + 2 * N * 64 * 32);
  assert.equal(discEncoder, 25_952_256);
  const discHead = 2 * N * 32 * 32 + 2 * N * 32 * 1; // dense 32 -> 32, dense_prediction 32 -> 1
  const forward = genEncoder + genHead + discEncoder + discHead;
  assert.equal(forward, 39_409_664);

  const counted = trainingFlops(presetConfig('micro'), { sequences: 8, seqLength: 64, maskedPositions: 72 });
  assert.equal(counted.forward, forward);
  assert.equal(counted.training, 3 * forward); // backward = 2 x forward
  assert.deepEqual(counted.parts, { generatorEncoder: genEncoder, generatorHead: genHead, discriminatorEncoder: discEncoder, discriminatorHead: discHead });
});

test('micro masked-LM step: the hand count (one encoder of the discriminator\'s shapes, no generator)', () => {
  const N = 8 * 64;
  const encoder = 2 * N * 24 * 32 + 2 * (4 * (2 * N * 32 * 32) + 2 * (2 * 8 * 64 * 64 * 32) + 2 * N * 32 * 64 + 2 * N * 64 * 32);
  const head = 2 * 72 * 32 * 24 + 2 * 72 * 24 * 1024; // dense 32 -> 24, tied 24 -> 1024 at the masked positions
  const counted = trainingFlops(withObjective(presetConfig('micro'), 'mlm'), { sequences: 8, seqLength: 64, maskedPositions: 72 });
  assert.equal(counted.forward, encoder + head);
  assert.equal(counted.training, 3 * (encoder + head));
  // Same budget, fewer FLOPs a step: the masked LM gets more steps than ELECTRA.
  assert.ok(counted.training < trainingFlops(presetConfig('micro'), { sequences: 8, seqLength: 64, maskedPositions: 72 }).training);
});

/**
 * FLOPs of the matrix products a profiled pass ran: the engine's dense kernel (x [N, in] by
 * weight [out, in]) and tfjs's BatchMatMul, whose contracted size follows from the input
 * and output shapes (transposes are not in the profile).
 */
function profiledMatMulFlops(kernels: Awaited<ReturnType<typeof tf.profile>>['kernels']): number {
  let flops = 0;
  for (const k of kernels) {
    if (k.name === 'ElectraDense') {
      const [x, w] = k.inputShapes as number[][];
      flops += 2 * x[0] * x[1] * w[0];
    } else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const a = k.inputShapes[0] as number[];
      const out = k.outputShapes[0] as number[];
      const batch = out.slice(0, -2).reduce((p, d) => p * d, 1);
      const [m, n] = out.slice(-2);
      const kDim = a.reduce((p, d) => p * d, 1) / batch / m;
      flops += 2 * batch * m * n * kDim;
    } else if (/MatMul|Dense|Gemm/i.test(k.name) && !/Grad$/.test(k.name)) {
      assert.fail(`a matrix-product kernel the count does not know: ${k.name}`);
    }
  }
  return flops;
}

async function profiledPass(config: ElectraConfig): Promise<{ ran: number; counted: number }> {
  await initBackend('wasm');
  const model = new ElectraModel(config, 1);
  const B = 4;
  const T = config.maxSeqLength;
  const ids = new Int32Array(B * T);
  const rng = new Rng(3);
  for (let i = 0; i < ids.length; i++) ids[i] = 5 + rng.int(config.vocabSize - 5);
  const batch = { ids, attentionMask: new Float32Array(ids.length).fill(1), batchSize: B, seqLength: T };
  const masked = maskBatch(ids, T, SPECIAL, maskingFor(config), new Rng(1));
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => pretrainingLoss(model, batch, masked, { seed: 1, dropoutRate: 0.1 }, {}));
    value.dispose();
    tf.dispose(Object.values(grads));
  });
  model.dispose();
  return { ran: profiledMatMulFlops(info.kernels), counted: trainingFlops(config, { sequences: B, seqLength: T, maskedPositions: masked.positions.length }).training };
}

test('the count equals the matrix products a real ELECTRA training pass runs (micro, forward + backward)', async () => {
  const { ran, counted } = await profiledPass(presetConfig('micro'));
  assert.equal(ran, counted);
});

test('the count equals the matrix products a real masked-LM training pass runs (micro, forward + backward)', async () => {
  const { ran, counted } = await profiledPass(withObjective(presetConfig('micro'), 'mlm'));
  assert.equal(ran, counted);
});

test('FLOP budgets parse with SI suffixes and reject nonsense', () => {
  assert.equal(parseFlops('2e15'), 2e15);
  assert.equal(parseFlops('500T'), 5e14);
  assert.equal(parseFlops('3P'), 3e15);
  assert.equal(parseFlops('40G'), 4e10);
  assert.throws(() => parseFlops('lots'), /not a FLOP count/);
  assert.throws(() => parseFlops('0'), /positive/);
  assert.equal(formatFlops(6.03e11), '603 GFLOP');
  assert.equal(formatFlops(9.9996e11), '1.00 TFLOP');
  assert.equal(formatFlops(2e12), '2.00 TFLOP');
});
