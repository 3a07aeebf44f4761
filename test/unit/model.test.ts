/**
 * The model's gradients against central finite differences, on the micro preset, with
 * the objective as training runs it (generator MLM + 50 x discriminator BCE), dropout off
 * and the generator's samples fixed so that the loss is a smooth function of the weights.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { parameterSpecs, ElectraModel } from '../../src/core/model/model';
import { presetConfig } from '../../src/core/model/presets';
import { defaultMasking, maskBatch } from '../../src/core/model/masking';
import { electraLoss, type Batch, type ObjectiveStats } from '../../src/core/model/objective';
import { Rng } from '../../src/core/common/random';
import { attentionMaskOf } from '../../src/core/train/batches';
import { brownTokenizer, brownTexts } from './engineFixtures';
import { SequencePacker } from '../../src/core/data/packing';

before(async () => {
  await initBackend('wasm');
});

test('parameter names and shapes follow the Hugging Face ELECTRA layout', () => {
  const c = presetConfig('micro');
  const names = parameterSpecs(c).map((s) => s.name);
  assert.ok(names.includes('electra.embeddings.word_embeddings.weight'));
  assert.ok(names.includes('discriminator.electra.embeddings_project.weight'));
  assert.ok(names.includes('generator.electra.encoder.layer.1.attention.self.query.weight'));
  assert.ok(names.includes('discriminator.discriminator_predictions.dense_prediction.weight'));
  assert.ok(names.includes('generator.generator_lm_head.bias'));
  // Tied: the generator has no output weight of its own.
  assert.ok(!names.includes('generator.generator_lm_head.weight'));
  const spec = parameterSpecs(c).find((s) => s.name === 'discriminator.electra.embeddings_project.weight')!;
  assert.deepEqual(spec.shape, [c.discriminator.hiddenSize, c.embeddingSize]); // [out, in]
  // Small preset: about 14M parameters for the discriminator, as the paper says.
  const small = presetConfig('small');
  const discParams = parameterSpecs(small).filter((s) => !s.name.startsWith('generator.')).reduce((a, s) => a + s.shape.reduce((x, d) => x * d, 1), 0);
  assert.ok(discParams > 13.0e6 && discParams < 14.5e6, `ELECTRA-Small discriminator has ${discParams} parameters`);
});

test('gradients match finite differences on micro', () => {
  const tokenizer = brownTokenizer(512, 20);
  const config = { ...presetConfig('micro'), vocabSize: tokenizer.vocabSize, maxSeqLength: 24 };
  const model = new ElectraModel(config, 7);
  const T = config.maxSeqLength;
  const packer = new SequencePacker(T, tokenizer.specialIds);
  const seqs = packer.push(tokenizer.encode(brownTexts(1)[0]).map((t) => t.id)).slice(0, 3);
  const ids = new Int32Array(seqs.length * T);
  seqs.forEach((s, i) => ids.set(s, i * T));
  const batch: Batch = { ids, attentionMask: attentionMaskOf(ids, tokenizer.specialIds.pad), batchSize: seqs.length, seqLength: T };
  const masked = maskBatch(ids, T, tokenizer.specialIds, defaultMasking(T), new Rng(1));
  // Fixed samples: half of them equal to the original (labelled original), half another token.
  const sampled = Int32Array.from(masked.targets, (t, i) => (i % 2 === 0 ? t : 5 + ((t + 17) % (config.vocabSize - 5))));
  const options = { seed: 3, dropoutRate: 0, sampledOverride: sampled };
  const lossAt = () => tf.tidy(() => electraLoss(model, batch, masked, options, {} as Partial<ObjectiveStats>).dataSync()[0]);

  const { value, grads } = tf.variableGrads(() => electraLoss(model, batch, masked, options, {}));
  value.dispose();
  const checked = [
    'electra.embeddings.word_embeddings.weight',
    'electra.embeddings.position_embeddings.weight',
    'electra.embeddings.LayerNorm.weight',
    'discriminator.electra.embeddings_project.weight',
    'discriminator.electra.encoder.layer.0.attention.self.query.weight',
    'discriminator.electra.encoder.layer.1.intermediate.dense.weight',
    'discriminator.electra.encoder.layer.1.output.LayerNorm.bias',
    'discriminator.discriminator_predictions.dense_prediction.weight',
    'generator.electra.encoder.layer.0.attention.self.value.weight',
    'generator.generator_predictions.LayerNorm.weight',
    'generator.generator_lm_head.bias',
  ];
  const eps = 1e-2;
  let compared = 0;
  for (const name of checked) {
    const variable = model.p(name);
    const analytic = grads[variable.name].dataSync() as Float32Array;
    // The three entries with the largest gradient: where float32 differences are meaningful.
    const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a])).slice(0, 3);
    const values = variable.dataSync().slice() as Float32Array;
    for (const i of order) {
      const original = values[i];
      values[i] = original + eps;
      variable.assign(tf.tensor(values, variable.shape));
      const up = lossAt();
      values[i] = original - eps;
      variable.assign(tf.tensor(values, variable.shape));
      const down = lossAt();
      values[i] = original;
      variable.assign(tf.tensor(values, variable.shape));
      const numeric = (up - down) / (2 * eps);
      const tolerance = 0.05 * Math.abs(analytic[i]) + 2e-3;
      assert.ok(Math.abs(numeric - analytic[i]) <= tolerance, `${name}[${i}]: analytic ${analytic[i]} vs numeric ${numeric}`);
      compared++;
    }
  }
  assert.equal(compared, checked.length * 3);
  tf.dispose(Object.values(grads));
  model.dispose();
});

test('the discriminator loss does not reach the generator through the samples', () => {
  const config = { ...presetConfig('micro'), vocabSize: 64, maxSeqLength: 16 };
  const model = new ElectraModel(config, 1);
  const T = 16;
  const ids = new Int32Array(2 * T);
  const rng = new Rng(2);
  for (let i = 0; i < ids.length; i++) ids[i] = 5 + rng.int(59);
  ids[0] = 2;
  ids[T] = 2;
  const special = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };
  const batch: Batch = { ids, attentionMask: new Float32Array(ids.length).fill(1), batchSize: 2, seqLength: T };
  const masked = maskBatch(ids, T, special, defaultMasking(T), new Rng(5));
  // With the generator's MLM weight at 0, its own layers get no gradient at all.
  const { value, grads } = tf.variableGrads(() =>
    electraLoss(model, batch, masked, { seed: 1, dropoutRate: 0, weights: { genWeight: 0, discWeight: 50, temperature: 1 } }, {}),
  );
  value.dispose();
  const genLayer = grads[model.p('generator.electra.encoder.layer.0.attention.self.query.weight').name];
  const discLayer = grads[model.p('discriminator.electra.encoder.layer.0.attention.self.query.weight').name];
  assert.equal(tf.max(tf.abs(genLayer)).dataSync()[0], 0);
  assert.ok(tf.max(tf.abs(discLayer)).dataSync()[0] > 0);
  tf.dispose(Object.values(grads));
  model.dispose();
});
