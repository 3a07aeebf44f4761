/**
 * Neighbour heads (src/core/model/neighbourHeads.ts): after the implant, the discriminator's
 * first-layer heads 0 and 1 look at the previous and the next token of real text, computed here
 * from the parameters with the attention formula itself, in a fresh model (with and without an
 * embedding projection) and in the shipped base model; every other parameter keeps its value.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { ElectraModel } from '../../src/core/model/model';
import { presetConfig } from '../../src/core/model/presets';
import { withObjective } from '../../src/core/model/config';
import { implantNeighbourHeads, NEIGHBOUR_OFFSETS } from '../../src/core/model/neighbourHeads';
import { loadCheckpoint, findLatestCheckpoint } from '../../src/core/run/checkpoint';
import { tensorsFromArrays } from '../../src/core/run/weights';
import { WordPieceTokenizer } from '../../src/core/data/tokenizer';
import { brownTexts, brownTokenizer } from './engineFixtures';

before(async () => {
  await initBackend('wasm');
});

/** Layer 0's attention probabilities of the discriminator, [heads, T, T], for one sequence without padding. */
function firstLayerAttention(model: ElectraModel, ids: number[]): Float32Array[] {
  const c = model.config;
  const T = ids.length;
  const heads = c.discriminator.numAttentionHeads;
  const hd = c.discriminator.hiddenSize / heads;
  return tf.tidy(() => {
    const words = tf.gather(model.p('electra.embeddings.word_embeddings.weight'), tf.tensor1d(ids, 'int32'));
    const positions = tf.slice(model.p('electra.embeddings.position_embeddings.weight'), [0, 0], [T, c.embeddingSize]);
    const type = tf.slice(model.p('electra.embeddings.token_type_embeddings.weight'), [0, 0], [1, c.embeddingSize]);
    const e = tf.add(tf.add(words, positions), type);
    const { mean, variance } = tf.moments(e, -1, true);
    let x: tf.Tensor2D = tf.add(tf.mul(tf.div(tf.sub(e, mean), tf.sqrt(tf.add(variance, c.layerNormEps))), model.p('electra.embeddings.LayerNorm.weight')), model.p('electra.embeddings.LayerNorm.bias'));
    if (model.params.has('discriminator.electra.embeddings_project.weight')) {
      x = tf.add(tf.matMul(x, model.p('discriminator.electra.embeddings_project.weight'), false, true), model.p('discriminator.electra.embeddings_project.bias'));
    }
    const dense = (name: string) => tf.add(tf.matMul(x, model.p(`${name}.weight`), false, true), model.p(`${name}.bias`));
    const q = dense('discriminator.electra.encoder.layer.0.attention.self.query');
    const k = dense('discriminator.electra.encoder.layer.0.attention.self.key');
    const out: Float32Array[] = [];
    for (let h = 0; h < heads; h++) {
      const qh = tf.slice(q, [0, h * hd], [T, hd]);
      const kh = tf.slice(k, [0, h * hd], [T, hd]);
      out.push(tf.softmax(tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(hd))).dataSync() as Float32Array);
    }
    return out;
  });
}

/** The mean weight a head puts on the token at `offset`, over the positions that have one. */
function neighbourWeight(attention: Float32Array, T: number, offset: number): number {
  let sum = 0;
  let n = 0;
  for (let t = 0; t < T; t++) {
    const s = t + offset;
    if (s < 0 || s >= T) continue;
    sum += attention[t * T + s];
    n++;
  }
  return sum / n;
}

function snapshot(model: ElectraModel): Map<string, Float32Array> {
  return new Map([...model.params].map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));
}

const CHANGED = new Set([
  'electra.embeddings.word_embeddings.weight',
  'electra.embeddings.token_type_embeddings.weight',
  'electra.embeddings.position_embeddings.weight',
  'electra.embeddings.LayerNorm.weight',
  'electra.embeddings.LayerNorm.bias',
  'discriminator.electra.encoder.layer.0.attention.self.query.weight',
  'discriminator.electra.encoder.layer.0.attention.self.query.bias',
  'discriminator.electra.encoder.layer.0.attention.self.key.weight',
  'discriminator.electra.encoder.layer.0.attention.self.key.bias',
  'discriminator.electra.embeddings_project.weight',
  'discriminator.electra.embeddings_project.bias',
]);


function assertNeighbours(model: ElectraModel, ids: number[], minimum: number): void {
  const attention = firstLayerAttention(model, ids);
  for (const [head, offset] of NEIGHBOUR_OFFSETS.entries()) {
    const weight = neighbourWeight(attention[head], ids.length, offset);
    assert.ok(weight >= minimum, `head ${head} puts ${weight.toFixed(3)} on the token at offset ${offset}`);
    // And not the other neighbour.
    assert.ok(neighbourWeight(attention[head], ids.length, -offset) < 0.05);
  }
}

test('a fresh tiny model attends to the previous and the next token of real text, and nothing else changes', () => {
  const tokenizer = brownTokenizer(2048, 20);
  const config = { ...presetConfig('tiny'), vocabSize: tokenizer.vocabSize };
  const model = new ElectraModel(config, 3);
  const ids = tokenizer.encode(brownTexts(1)[0]).map((t) => t.id).slice(0, config.maxSeqLength);
  // Before: BERT's initialisation spreads attention almost evenly.
  const before = firstLayerAttention(model, ids);
  assert.ok(neighbourWeight(before[0], ids.length, -1) < 0.05);
  const values = snapshot(model);
  implantNeighbourHeads(model, 3, { fresh: true });
  assertNeighbours(model, ids, 0.85);
  for (const [name, value] of snapshot(model)) {
    if (!CHANGED.has(name)) assert.deepEqual(value, values.get(name), `${name} changed`);
  }
  // Only the first two heads' rows of the query change; the positions are sinusoids now.
  const hd = config.discriminator.hiddenSize / config.discriminator.numAttentionHeads;
  assert.equal(NEIGHBOUR_OFFSETS.length * hd, config.discriminator.hiddenSize);
  model.dispose();
});

test('a fresh model with an embedding projection (micro) gets them too; a trained one is refused unchanged', () => {
  const tokenizer = brownTokenizer(512, 10);
  const config = { ...presetConfig('micro'), vocabSize: tokenizer.vocabSize };
  const ids = tokenizer.encode(brownTexts(2)[1]).map((t) => t.id).slice(0, config.maxSeqLength);
  const fresh = new ElectraModel(config, 5);
  implantNeighbourHeads(fresh, 5, { fresh: true });
  // Eight position dimensions (four frequencies) in micro's heads of 16: broad sidelobes, but
  // most of the weight on the neighbour still, where BERT's initialisation gives 1/T.
  assertNeighbours(fresh, ids, 0.5);
  fresh.dispose();

  const trained = new ElectraModel(config, 5);
  const values = snapshot(trained);
  assert.throws(() => implantNeighbourHeads(trained, 5, { fresh: false }), /embedding projection/);
  for (const [name, value] of snapshot(trained)) assert.deepEqual(value, values.get(name), `${name} changed by a refused implant`);
  trained.dispose();
});

test('the shipped base model kept the neighbour heads its error stage began with, and a trained model takes them again', () => {
  const checkpoint = loadCheckpoint(findLatestCheckpoint(join(__dirname, '../../../models/base'))!);
  const model = new ElectraModel(checkpoint.config, 1);
  tf.tidy(() => model.assign(tensorsFromArrays(checkpoint.weights)));
  const tokenizer = WordPieceTokenizer.fromVocabText(checkpoint.vocabText, checkpoint.state.tokenizer);
  const ids = tokenizer.encode(brownTexts(3)[2]).map((t) => t.id).slice(0, checkpoint.config.maxSeqLength);
  // Thousands of steps of training sharpened them rather than undoing them (docs/base-model.md).
  assertNeighbours(model, ids, 0.9);
  // Given again to a trained model (its words fill the position dimensions only where training put them back).
  implantNeighbourHeads(model, 1, { fresh: false });
  // Trained words vary in size, and the larger ones shrink the positions in the embedding norm.
  assertNeighbours(model, ids, 0.75);
  model.dispose();
});

test("a masked LM's one encoder gets them under its own names", () => {
  const tokenizer = brownTokenizer(2048, 20);
  const config = withObjective({ ...presetConfig('tiny'), vocabSize: tokenizer.vocabSize }, 'mlm');
  const model = new ElectraModel(config, 4);
  const before = model.p('generator.electra.encoder.layer.0.attention.self.query.weight').dataSync().slice();
  implantNeighbourHeads(model, 4, { fresh: true });
  const after = model.p('generator.electra.encoder.layer.0.attention.self.query.weight').dataSync();
  assert.ok(before.some((v, i) => v !== after[i]));
  assert.ok(!model.params.has('discriminator.electra.encoder.layer.0.attention.self.query.weight'));
  model.dispose();
});
