/**
 * Data-parallel training: shards put back together give the batch, worker threads give
 * the gradients of one thread on the same global batch (dropout and sampling included),
 * and a run with workers follows the single-thread run step by step.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/core/wasm/backend';
import { loadCheckpoint } from '../../src/core/run/checkpoint';
import { presetConfig } from '../../src/core/model/presets';
import { ReplicaPool, shardGradients, splitBatch } from '../../src/core/parallel';
import { defaultMasking, maskBatch } from '../../src/core/model/masking';
import type { EvalMetrics, StepMetrics } from '../../src/core/train/metrics';
import { ElectraModel } from '../../src/core/model/model';
import { Rng } from '../../src/core/common/random';
import { attentionMaskOf } from '../../src/core/train/batches';
import { pretrain, type PretrainOptions } from '../../src/core/train/pretrain';
import { brownTokenizer, brownTexts, rustBookCorpus, tempDir } from './engineFixtures';

const WORKER_SCRIPT = resolve(__dirname, '../../../dist/dataParallelWorker.js');
const SPECIAL = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };
const scratch = tempDir('data-parallel');
after(() => scratch.cleanup());
before(async () => {
  await initBackend('wasm');
});

/** A batch of real Brown sentences, the last ones padded, as [CLS] ... [SEP] rows. */
function brownBatch(batchSize: number, seqLength: number) {
  const tokenizer = brownTokenizer(1024, 20);
  const text = brownTexts(20).join(' ');
  const ids = new Int32Array(batchSize * seqLength);
  const words = tokenizer.encodeIds(text);
  let at = 0;
  for (let b = 0; b < batchSize; b++) {
    // Later rows are shorter, so shards differ in masked and real-token counts.
    const length = seqLength - 2 - Math.min(seqLength - 6, b * 3);
    ids[b * seqLength] = SPECIAL.cls;
    for (let t = 1; t <= length; t++) ids[b * seqLength + t] = words[at++];
    ids[b * seqLength + length + 1] = SPECIAL.sep;
  }
  return { ids, attentionMask: attentionMaskOf(ids, SPECIAL.pad), batchSize, seqLength };
}

test('shards of a batch put back together give the batch, with positions re-based', () => {
  const batch = brownBatch(7, 24);
  const masked = maskBatch(batch.ids, 24, SPECIAL, defaultMasking(24), new Rng(3));
  const shards = splitBatch(batch, masked, 3);
  assert.deepEqual(shards.map((s) => s.batch.batchSize), [2, 2, 3]);
  assert.deepEqual(shards.map((s) => s.info.firstExample), [0, 2, 4]);
  const ids = new Int32Array(batch.ids.length);
  const positions: number[] = [];
  const targets: number[] = [];
  for (const s of shards) {
    ids.set(s.masked.maskedIds, s.info.firstExample * 24);
    positions.push(...Array.from(s.masked.positions, (p) => p + s.info.firstExample * 24));
    targets.push(...s.masked.targets);
    assert.equal(s.info.maskedCount, masked.positions.length);
    assert.equal(s.info.tokenCount, batch.attentionMask.reduce((a, m) => a + m, 0));
    for (const p of s.masked.positions) assert.ok(p >= 0 && p < s.batch.batchSize * 24);
  }
  assert.deepEqual(ids, masked.maskedIds);
  assert.deepEqual(positions, Array.from(masked.positions));
  assert.deepEqual(targets, Array.from(masked.targets));
  // More parts than examples: the empty shards are left out.
  assert.equal(splitBatch(brownBatch(2, 24), maskBatch(brownBatch(2, 24).ids, 24, SPECIAL, defaultMasking(24), new Rng(1)), 4).length, 2);
});

test('gradients from worker threads equal one thread on the same batch, dropout and sampling included', async () => {
  const config = { ...presetConfig('micro'), maxSeqLength: 32 };
  const model = new ElectraModel(config, 5);
  const batch = brownBatch(6, 32);
  const masked = maskBatch(batch.ids, 32, SPECIAL, defaultMasking(32), new Rng(9));
  const pass = { seed: 1234, dropoutRate: 0.1 };
  const single = shardGradients(model, splitBatch(batch, masked, 1)[0], pass);
  const workers = await ReplicaPool.start(model, 2, 'wasm', WORKER_SCRIPT);
  try {
    const parallel = await workers.gradients(model, batch, masked, pass);
    assert.equal(parallel.grads.size, single.grads.size);
    let worst = 0;
    for (const [name, g] of single.grads) {
      const a = g.dataSync();
      const b = parallel.grads.get(name)!.dataSync();
      let scale = 1e-6;
      let diff = 0;
      for (let i = 0; i < a.length; i++) {
        scale = Math.max(scale, Math.abs(a[i]));
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      worst = Math.max(worst, diff / scale);
      assert.ok(diff / scale < 1e-4, `${name}: max difference ${diff} against max magnitude ${scale}`);
    }
    // Not trivially equal: the shards really ran elsewhere and the sums carry rounding.
    assert.ok(worst < 1e-4);
    assert.ok(Math.abs(parallel.stats.loss - single.stats.loss) < 1e-5 * Math.abs(single.stats.loss));
    assert.equal(parallel.stats.genCorrect, single.stats.genCorrect);
    assert.deepEqual(parallel.stats.labels, single.stats.labels);
    for (let i = 0; i < single.stats.discProbs.length; i++) assert.ok(Math.abs(parallel.stats.discProbs[i] - single.stats.discProbs[i]) < 1e-5);

    // A different dropout seed gives different gradients: the comparison above can fail.
    const other = await workers.gradients(model, batch, masked, { ...pass, seed: 99 });
    const name = 'discriminator.electra.encoder.layer.0.intermediate.dense.weight';
    const a = single.grads.get(name)!.dataSync();
    const b = other.grads.get(name)!.dataSync();
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    assert.ok(d > 1e-4, `changing the seed should change the gradient (max difference ${d})`);
    tf.dispose([...parallel.grads.values(), ...other.grads.values()]);
  } finally {
    await workers.close();
    tf.dispose([...single.grads.values()]);
    model.dispose();
  }
});

test('a run with three threads follows the one-thread run step by step', async () => {
  const corpus = rustBookCorpus(join(scratch.path, 'rust'));
  const options = (outDir: string, workers: number): PretrainOptions => ({
    corpus: { kind: 'folder', root: corpus },
    outDir,
    preset: 'micro',
    steps: 6,
    batchSize: 6,
    seed: 3,
    backend: 'wasm',
    checkpointEvery: 100,
    evalEvery: 3,
    evalSequences: 10,
    config: { maxSeqLength: 32, vocabSize: 600 },
    workers,
    workerScript: WORKER_SCRIPT,
  });
  const one = await pretrain(options(join(scratch.path, 'one'), 1));
  const three = await pretrain(options(join(scratch.path, 'three'), 3));
  const records = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as StepMetrics | EvalMetrics);
  const steps = (dir: string) => records(dir).filter((m): m is StepMetrics => m.type === 'step');
  const evals = (dir: string) => records(dir).filter((m): m is EvalMetrics => m.type === 'eval');
  const a = steps(join(scratch.path, 'one'));
  const b = steps(join(scratch.path, 'three'));
  assert.equal(a.length, 6);
  assert.equal(b.length, 6);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i].loss - b[i].loss) < 1e-4 * a[i].loss, `step ${i + 1}: loss ${a[i].loss} vs ${b[i].loss}`);
    assert.ok(Math.abs(a[i].gradNorm - b[i].gradNorm) < 1e-4 * a[i].gradNorm, `step ${i + 1}: grad norm ${a[i].gradNorm} vs ${b[i].gradNorm}`);
    assert.equal(a[i].replacedRate, b[i].replacedRate);
  }
  // Evaluation shares its batches with the workers too: the same held-out figures.
  const ea = evals(join(scratch.path, 'one'));
  const eb = evals(join(scratch.path, 'three'));
  assert.deepEqual(ea.map((m) => m.step), [3, 6]);
  assert.deepEqual(eb.map((m) => m.step), [3, 6]);
  for (let i = 0; i < ea.length; i++) {
    assert.ok(Math.abs(ea[i].discLoss - eb[i].discLoss) < 1e-4 * ea[i].discLoss, `eval at step ${ea[i].step}: ${ea[i].discLoss} vs ${eb[i].discLoss}`);
    assert.equal(ea[i].sequences, eb[i].sequences);
  }
  const wa = loadCheckpoint(one.checkpointDir).weights;
  const wb = loadCheckpoint(three.checkpointDir).weights;
  let worst = 0;
  for (const [name, t] of wa) {
    const u = wb.get(name)!.data;
    for (let i = 0; i < t.data.length; i++) worst = Math.max(worst, Math.abs(t.data[i] - u[i]));
  }
  // Six AdamW steps at lr 5e-4 move weights by up to ~3e-3: rounding must stay far below that.
  assert.ok(worst < 5e-5, `weights differ by up to ${worst}`);
});

test('workers that cannot start, or have stopped, give a clear error instead of a hang', async () => {
  const model = new ElectraModel({ ...presetConfig('micro'), maxSeqLength: 16 }, 1);
  try {
    await assert.rejects(ReplicaPool.start(model, 1, 'wasm', join(scratch.path, 'no-such-worker.js')), /worker script not found/);
    const workers = await ReplicaPool.start(model, 1, 'wasm', WORKER_SCRIPT);
    await workers.close();
    const batch = brownBatch(2, 16);
    const masked = maskBatch(batch.ids, 16, SPECIAL, defaultMasking(16), new Rng(1));
    await assert.rejects(workers.gradients(model, batch, masked, { seed: 1, dropoutRate: 0 }), /closed/);
  } finally {
    model.dispose();
  }
});
