/**
 * Held-out evaluation against a fixed generator (Evaluator.evaluateAgainst): the same masks
 * and uniforms as the model's own evaluation, with another model's generator drawing the
 * replacements. Checked on real text with identities that hold only if the samples are
 * drawn exactly as training draws them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { prepareData, type PreparedData } from '../../src/core/data/dataset';
import { ElectraModel } from '../../src/core/model/model';
import { presetConfig } from '../../src/core/model/presets';
import { Evaluator } from '../../src/core/train/evaluator';
import { initBackend } from '../../src/core/wasm/backend';
import { rustBookCorpus, tempDir } from './engineFixtures';

const scratch = tempDir('fixed-generator');
let data: PreparedData;
const T = 32;

before(async () => {
  await initBackend('wasm');
  data = await prepareData({ source: { kind: 'folder', root: rustBookCorpus(join(scratch.path, 'corpus'), 6) }, runDir: join(scratch.path, 'run'), seqLength: T, vocabSize: 600, normalization: { lowercase: true, stripAccents: true } });
});
after(() => {
  data.train.close();
  data.heldOut.close();
  scratch.cleanup();
});

const evaluatorOf = (model: ElectraModel) => new Evaluator(model, data.train, data.tokenizer.specialIds, 48, 7, T);
const withoutTime = ({ time: _t, ...m }: { time: number }) => m;

test('a model against its own generator as the fixed one gives its own evaluation, to the bit', async () => {
  const config = { ...presetConfig('micro'), vocabSize: data.meta.vocabSize, maxSeqLength: T };
  const model = new ElectraModel(config, 1);
  try {
    const own = await evaluatorOf(model).evaluate(0, 0);
    const against = await evaluatorOf(model).evaluateAgainst(model, 0);
    assert.deepEqual(withoutTime(against.metrics), withoutTime(own));
    assert.equal(against.generatorAccuracy, own.genAccuracy);
    assert.ok(own.replacedRate > 0.05, `replaced rate ${own.replacedRate}`);
  } finally {
    model.dispose();
  }
});

test("another model's generator draws the replacements; the model's own generator is still the one measured", async () => {
  const config = { ...presetConfig('micro'), vocabSize: data.meta.vocabSize, maxSeqLength: T };
  const model = new ElectraModel(config, 1);
  // A generator of another shape and initialisation: twice as wide, one layer.
  const other = new ElectraModel({ ...config, generator: { ...config.generator, hiddenSize: 32, numHiddenLayers: 1 } }, 2);
  try {
    const own = await evaluatorOf(model).evaluate(0, 0);
    const otherOwn = await evaluatorOf(other).evaluate(0, 0);
    const against = await evaluatorOf(model).evaluateAgainst(other, 0);
    // The other model's generator ran on the same masks as in its own evaluation, and its samples replaced the tokens.
    assert.equal(against.generatorAccuracy, otherOwn.genAccuracy);
    assert.equal(against.metrics.replacedRate, otherOwn.replacedRate);
    assert.notEqual(against.metrics.discLoss, own.discLoss);
    // The evaluated model's generator still runs on the same masks.
    assert.equal(against.metrics.genAccuracy, own.genAccuracy);
    assert.equal(against.metrics.genLoss, own.genLoss);
    assert.notEqual(against.metrics.auc, own.auc);
  } finally {
    model.dispose();
    other.dispose();
  }
});

test('a fixed generator of another vocabulary is refused', async () => {
  const config = { ...presetConfig('micro'), vocabSize: data.meta.vocabSize, maxSeqLength: T };
  const model = new ElectraModel(config, 1);
  const other = new ElectraModel({ ...config, vocabSize: config.vocabSize + 8 }, 2);
  try {
    await assert.rejects(evaluatorOf(model).evaluateAgainst(other, 0), /token-level replacement needs one vocabulary/);
  } finally {
    model.dispose();
    other.dispose();
  }
});
