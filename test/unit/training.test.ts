/**
 * Pre-training end to end on real text: resume equivalence, learning, metrics files,
 * and clear errors for bad input.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { loadCheckpoint, type TrainingPosition } from '../../src/core/run/checkpoint';
import { RunFolder } from '../../src/core/run/runFolder';
import type { EvalMetrics, StepMetrics } from '../../src/core/train/metrics';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/core/wasm/backend';
import { presetConfig } from '../../src/core/model/presets';
import { batchGradients } from '../../src/core/parallel';
import { prepareData } from '../../src/core/data/dataset';
import { defaultMasking, maskBatch } from '../../src/core/model/masking';
import { ElectraModel } from '../../src/core/model/model';
import { AdamW } from '../../src/core/model/optimizer';
import { deriveSeed, Rng } from '../../src/core/common/random';
import { pretrain, type PretrainOptions, type TrainingSettings } from '../../src/core/train/pretrain';
import { readBatch } from '../../src/core/train/batches';
import { TrainingLoop } from '../../src/core/train/trainingLoop';
import { rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('training');
after(() => scratch.cleanup());

/** A workspace of Rust book chapters. */
function workspace(name: string, chapters: number): string {
  const dir = join(scratch.path, name);
  mkdirSync(dir, { recursive: true });
  for (const f of rustBookFiles().slice(0, chapters)) copyFileSync(f, join(dir, basename(f)));
  return dir;
}

const corpus = workspace('rust', 24);
const base = (outDir: string): PretrainOptions => ({
  corpus: { kind: 'folder', root: corpus },
  outDir,
  preset: 'micro',
  steps: 8,
  batchSize: 4,
  seed: 11,
  backend: 'wasm',
  checkpointEvery: 100,
  evalEvery: 100,
  evalSequences: 16,
  config: { maxSeqLength: 32, vocabSize: 600 },
});

function maxAbsDiff(a: Float32Array | Int32Array, b: Float32Array | Int32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test('N steps, stop, resume N steps gives the weights of 2N straight steps', async () => {
  const straightDir = join(scratch.path, 'straight');
  const straight = await pretrain(base(straightDir));
  assert.equal(straight.step, 8);

  const resumedDir = join(scratch.path, 'resumed');
  const controller = new AbortController();
  const first = await pretrain(base(resumedDir), { onStep: (m) => m.step === 4 && controller.abort() }, controller.signal);
  assert.equal(first.stoppedBecause, 'stopped');
  assert.equal(first.step, 4);
  const second = await pretrain({ ...base(resumedDir), resume: true });
  assert.equal(second.step, 8);

  const a = loadCheckpoint(straight.checkpointDir, { withOptimizer: true });
  const b = loadCheckpoint(second.checkpointDir, { withOptimizer: true });
  assert.equal(a.state.epoch, b.state.epoch);
  assert.equal(a.state.index, b.state.index);
  for (const [name, t] of a.weights) assert.ok(maxAbsDiff(t.data, b.weights.get(name)!.data) < 1e-5, `weights ${name} differ`);
  for (const [name, t] of a.optimizer!) assert.ok(maxAbsDiff(t.data, b.optimizer!.get(name)!.data) < 1e-5, `optimizer ${name} differs`);

  // The resumed run's metrics file has each step once, 1..8.
  const steps = readFileSync(join(resumedDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'step').map((r) => r.step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('with synthetic errors: a stop and resume still gives the weights of straight steps', async () => {
  const options = (dir: string): PretrainOptions => ({ ...base(join(scratch.path, dir)), syntheticErrors: 0.5 });
  const straight = await pretrain(options('errors-straight'));
  const controller = new AbortController();
  await pretrain(options('errors-resumed'), { onStep: (m) => m.step === 3 && controller.abort() }, controller.signal);
  const resumed = await pretrain({ ...options('errors-resumed'), resume: true });
  const a = loadCheckpoint(straight.checkpointDir);
  const b = loadCheckpoint(resumed.checkpointDir);
  for (const [name, t] of a.weights) assert.ok(maxAbsDiff(t.data, b.weights.get(name)!.data) < 1e-5, `weights ${name} differ`);
  const plain = loadCheckpoint((await pretrain({ ...base(join(scratch.path, 'errors-none')), syntheticErrors: 0 })).checkpointDir);
  const head = 'discriminator.discriminator_predictions.dense_prediction.weight';
  assert.ok(a.weights.has(head), [...a.weights.keys()].join(', '));
  assert.ok(maxAbsDiff(a.weights.get(head)!.data, plain.weights.get(head)!.data) > 1e-6, 'the errors change what the discriminator learns');
});

test('the error stage begins where the run says: the same steps as a run without errors before it, other steps after', async () => {
  const options = (dir: string, errors: number): PretrainOptions => ({ ...base(join(scratch.path, dir)), steps: 8, checkpointEvery: 4, syntheticErrors: errors, syntheticErrorsFrom: 0.5 });
  const staged = await pretrain(options('stage', 0.8));
  const none = await pretrain(options('stage-none', 0));
  const head = 'discriminator.discriminator_predictions.dense_prediction.weight';
  const at = (dir: string, step: number) => loadCheckpoint(new RunFolder(join(scratch.path, dir)).checkpointDir(step)).weights.get(head)!.data;
  assert.equal(maxAbsDiff(at('stage', 4), at('stage-none', 4)), 0, 'steps 1-4 come before the stage');
  assert.ok(maxAbsDiff(at('stage', 8), at('stage-none', 8)) > 1e-6, 'steps 5-8 train on errors');
  assert.equal(maxAbsDiff(loadCheckpoint(staged.checkpointDir).weights.get(head)!.data, at('stage', 8)), 0);
  assert.equal(none.step, 8);
});

test('a run with neighbour heads starts from them, records them, and resumes only as it began', async () => {
  const options = (dir: string): PretrainOptions => ({ ...base(join(scratch.path, dir)), neighbourHeads: true });
  const controller = new AbortController();
  await pretrain(options('neighbours'), { onStep: (m) => m.step === 3 && controller.abort() }, controller.signal);
  const resumed = await pretrain({ ...options('neighbours'), resume: true });
  const trained = loadCheckpoint(resumed.checkpointDir);
  assert.equal((trained.state.training as TrainingSettings).neighbourHeads, true);
  // The words left the position dimensions (eight of micro's 24) at the start; 8 steps of
  // training barely move them back, while a run without neighbour heads fills them.
  const words = trained.weights.get('electra.embeddings.word_embeddings.weight')!;
  const plain = loadCheckpoint((await pretrain({ ...base(join(scratch.path, 'no-neighbours')), neighbourHeads: false })).checkpointDir).weights.get('electra.embeddings.word_embeddings.weight')!;
  const inPositionDims = (w: typeof words) => {
    let s = 0;
    for (let row = 0; row < w.shape[0]; row++) for (let d = 0; d < 8; d++) s += w.data[row * w.shape[1] + d] ** 2;
    return Math.sqrt(s / (w.shape[0] * 8));
  };
  assert.ok(inPositionDims(words) < 0.2 * inPositionDims(plain), `${inPositionDims(words)} vs ${inPositionDims(plain)}`);
  await assert.rejects(pretrain({ ...base(join(scratch.path, 'no-neighbours')), resume: true, steps: 10, neighbourHeads: true }), /neighbour heads true \(the run's: false\)/);
  // The generator's size is the run's too (micro's is half the discriminator's width).
  await assert.rejects(pretrain({ ...base(join(scratch.path, 'no-neighbours')), resume: true, steps: 10, generatorSize: 0.25 }), /generator size 0\.25 \(the run's: 0\.5\)/);
});

test('a short run on real text: both losses fall and held-out AUC is well above chance', async () => {
  const outDir = join(scratch.path, 'learning');
  const steps: StepMetrics[] = [];
  const evals: EvalMetrics[] = [];
  const result = await pretrain(
    { ...base(outDir), steps: 150, batchSize: 8, evalEvery: 50, evalSequences: 64, config: { maxSeqLength: 64, vocabSize: 1024 } },
    { onStep: (m) => steps.push(m), onEval: (m) => evals.push(m) },
  );
  assert.equal(result.step, 150);
  const mean = (xs: StepMetrics[], f: (m: StepMetrics) => number) => xs.reduce((a, m) => a + f(m), 0) / xs.length;
  const early = steps.slice(0, 10);
  const late = steps.slice(-10);
  assert.ok(mean(late, (m) => m.genLoss) < mean(early, (m) => m.genLoss) - 0.3, `generator loss ${mean(early, (m) => m.genLoss)} -> ${mean(late, (m) => m.genLoss)}`);
  assert.ok(mean(late, (m) => m.discLoss) < mean(early, (m) => m.discLoss) - 0.1, `discriminator loss ${mean(early, (m) => m.discLoss)} -> ${mean(late, (m) => m.discLoss)}`);
  const last = evals[evals.length - 1];
  assert.equal(last.step, 150);
  assert.ok(last.auc > 0.7, `held-out AUC ${last.auc}`);
  // Every metric the issue names is recorded.
  for (const key of ['genLoss', 'genAccuracy', 'discLoss', 'discAccuracy', 'precision', 'recall', 'f1', 'auc', 'replacedRate', 'learningRate', 'tokensPerSec']) {
    assert.ok(key in steps[0], `step metrics lack ${key}`);
  }
  const lines = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => l.type === 'eval').length, 3);
});

test('an empty workspace and a workspace of binary files give clear errors', async () => {
  const empty = join(scratch.path, 'empty');
  mkdirSync(empty);
  await assert.rejects(pretrain({ ...base(join(scratch.path, 'out-empty')), corpus: { kind: 'folder', root: empty } }), /no text files found in .*empty/);
  const binary = join(scratch.path, 'binary');
  mkdirSync(binary);
  writeFileSync(join(binary, 'a.txt'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01]));
  await assert.rejects(pretrain({ ...base(join(scratch.path, 'out-bin')), corpus: { kind: 'folder', root: binary } }), /no text files found .*1 binary/);
});

test('resume without a checkpoint says so', async () => {
  await assert.rejects(pretrain({ ...base(join(scratch.path, 'nothing')), resume: true }), /cannot resume: no checkpoint in/);
});

test('a fresh run into a folder that holds a run is refused unless told to overwrite', async () => {
  const outDir = join(scratch.path, 'twice');
  await pretrain({ ...base(outDir), steps: 2 });
  await assert.rejects(pretrain({ ...base(outDir), steps: 2 }), /already holds a run .*resume it, or start over with overwrite/);
  const again = await pretrain({ ...base(outDir), steps: 3, overwrite: true });
  assert.equal(again.step, 3);
  const steps = readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'step').map((r) => r.step);
  assert.deepEqual(steps, [1, 2, 3]);
});

test('gradient accumulation: a step takes its micro-batches in turn and averages their gradients', async () => {
  await initBackend('wasm');
  const seqLength = 32;
  const data = await prepareData({ source: { kind: 'folder', root: corpus }, runDir: join(scratch.path, 'accumulation'), seqLength, vocabSize: 600, normalization: { lowercase: true, stripAccents: true } });
  const model = new ElectraModel({ ...presetConfig('micro'), maxSeqLength: seqLength, vocabSize: data.tokenizer.vocabSize }, 5);
  const optimizer = new AdamW(model.params, model.decayed);
  const special = data.tokenizer.specialIds;
  const seed = 11;
  const settings: TrainingSettings = {
    preset: 'micro', batchSize: 2, gradientAccumulation: 2, learningRate: 1e-3, warmupSteps: 0, totalSteps: 10,
    checkpointEvery: 0, evalEvery: 0, evalSequences: 0, dropout: 0.1, maxGradNorm: 1,
  };
  try {
    // Step 3 of such a run: 3 steps x 2 micro-batches x 2 sequences already read.
    const position: TrainingPosition = { step: 3, epoch: 0, index: 12 };
    const loop = new TrainingLoop(model, optimizer, data.train, special, settings, seed, position, seqLength);
    const accumulated = await loop.gradients();
    assert.equal(accumulated.stats.length, 2, 'one set of statistics per micro-batch');
    const { flops, ...place } = position;
    assert.deepEqual(place, { step: 3, epoch: 0, index: 16 }, 'the position moved past both micro-batches');
    assert.ok(flops! > 0, 'both micro-batches count their FLOPs');

    // The two micro-batches on their own, with the draws the loop keys by (seed, step, micro-batch).
    const reading = { step: 3, epoch: 0, index: 12 };
    const permutation = { epoch: -1, order: new Uint32Array(0) };
    const micro: Array<Map<string, tf.Tensor>> = [];
    let tokens = 0;
    for (let m = 0; m < 2; m++) {
      const batch = readBatch(data.train, reading, 2, seed, special.pad, permutation);
      tokens += batch.attentionMask.reduce((a, x) => a + x, 0);
      const masked = maskBatch(batch.ids, seqLength, special, defaultMasking(seqLength), new Rng(deriveSeed(seed, 'mask', 3, m)));
      const { grads, stats } = await batchGradients(model, batch, masked, { seed: deriveSeed(seed, 'step', 3, m), dropoutRate: 0.1 });
      assert.ok(Math.abs(stats.discLoss - accumulated.stats[m].discLoss) < 1e-6, `micro-batch ${m}: the same batch, masking and dropout as the loop's`);
      micro.push(grads);
    }
    assert.equal(accumulated.tokens, tokens);

    let worst = 0;
    let between = 0;
    for (const [name, g] of accumulated.grads) {
      const [a, b] = [micro[0].get(name)!.dataSync(), micro[1].get(name)!.dataSync()];
      const got = g.dataSync();
      for (let i = 0; i < got.length; i++) {
        worst = Math.max(worst, Math.abs(got[i] - (a[i] + b[i]) / 2));
        between = Math.max(between, Math.abs(a[i] - b[i]));
      }
    }
    assert.ok(between > 1e-3, 'the micro-batches differ, so their mean tells');
    assert.ok(worst < 1e-6, `accumulated gradients differ from the micro-batches' mean by up to ${worst}`);
    tf.dispose([...accumulated.grads.values(), ...micro.flatMap((m) => [...m.values()])]);
  } finally {
    data.train.close();
    data.heldOut.close();
    optimizer.dispose();
    model.dispose();
  }
});
