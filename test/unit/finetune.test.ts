/**
 * Fine-tuning and its scores: macro-F1 and accuracy against hand-made predictions, the
 * task files' parsing and errors, Brown's tasks split by file, and a small encoder that
 * learns part-of-speech tagging on real Brown text.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { initBackend } from '../../src/core/wasm/backend';
import { presetConfig } from '../../src/core/model/presets';
import { ElectraModel } from '../../src/core/model/model';
import { isHeldOut } from '../../src/core/data/corpus';
import { listBrownFiles, taggedWords } from '../../src/core/data/brown';
import { classificationScores } from '../../src/core/finetune/scores';
import { fileTask, parseCsv, readTaskFile } from '../../src/core/finetune/fileTask';
import { brownGenreTask, brownPosTask } from '../../src/core/finetune/brownTasks';
import { fineTune } from '../../src/core/finetune/finetune';
import { mostFrequentTag } from '../../src/core/finetune/mostFrequentTag';
import { layerwiseLrScales } from '../../src/core/finetune/layerwiseDecay';
import { AdamW } from '../../src/core/model/optimizer';
import * as tf from '@tensorflow/tfjs-core';
import type { FinetuneEvalMetrics, FinetuneStepMetrics } from '../../src/shared/metricsRecord';
import { brownTokenizer, tempDir } from './engineFixtures';

const scratch = tempDir('finetune');
after(() => scratch.cleanup());

test('accuracy and macro-F1 against a hand count', () => {
  //            0  1  2  3  4  5
  const gold = [0, 1, 1, 2, 2, 0];
  const pred = [0, 0, 1, 2, 1, 0];
  // label 0: tp 2 (items 0, 5), fp 1 (item 1), fn 0 -> F1 = 2*2 / (2*2 + 1 + 0) = 0.8
  // label 1: tp 1 (item 2), fp 1 (item 4), fn 1 (item 1) -> F1 = 2 / (2 + 1 + 1) = 0.5
  // label 2: tp 1 (item 3), fp 0, fn 1 (item 4) -> F1 = 2 / (2 + 0 + 1) = 2/3
  const s = classificationScores(pred, gold);
  assert.equal(s.count, 6);
  assert.equal(s.accuracy, 4 / 6);
  assert.ok(Math.abs(s.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12, `macro-F1 ${s.macroF1}`);
  // A label only ever predicted (never gold) counts, with F1 0.
  assert.ok(Math.abs(classificationScores([0, 3], [0, 1]).macroF1 - (1 + 0 + 0) / 3) < 1e-12);
  assert.throws(() => classificationScores([0], [0, 1]), /1 predictions for 2 labels/);
});

test("Brown's tags: title, headline and citation markers dropped, everything else kept", () => {
  assert.deepEqual(taggedWords('The/at Fulton/np-tl County/nn-tl ,/, 1/2/cd do/do* HEAD/NN-HL'), [
    { word: 'The', tag: 'at' }, { word: 'Fulton', tag: 'np' }, { word: 'County', tag: 'nn' }, { word: ',', tag: ',' },
    { word: '1/2', tag: 'cd' }, { word: 'do', tag: 'do*' }, { word: 'HEAD', tag: 'nn' },
  ]);
});

test('CSV with quotes, commas and line breaks in fields; JSONL; bad rows named by line', () => {
  assert.deepEqual(parseCsv('text,label\n"a, ""b""\nc",x\r\nplain,y\n').map((r) => r.fields), [['text', 'label'], ['a, "b"\nc', 'x'], ['plain', 'y']]);
  const csv = join(scratch.path, 'task.csv');
  writeFileSync(csv, 'label,text,split\npos,"good, very good",train\nneg,bad,test\n');
  assert.deepEqual(readTaskFile(csv).map((e) => [e.text, e.label, e.split, e.line]), [['good, very good', 'pos', 'train', 2], ['bad', 'neg', 'test', 3]]);
  const jsonl = join(scratch.path, 'task.jsonl');
  writeFileSync(jsonl, '{"text": "one", "label": 1}\n\n{"text": "two", "label": "b", "split": "test"}\n');
  assert.deepEqual(readTaskFile(jsonl).map((e) => [e.text, e.label, e.split]), [['one', '1', undefined], ['two', 'b', 'test']]);
  const bad = join(scratch.path, 'bad.jsonl');
  writeFileSync(bad, '{"text": "one", "label": 1}\n{"text": 3}\n');
  assert.throws(() => readTaskFile(bad), /bad.jsonl line 2: expected/);
  const noHeader = join(scratch.path, 'noheader.csv');
  writeFileSync(noHeader, 'hello,world\n');
  assert.throws(() => readTaskFile(noHeader), /must name the columns/);
  assert.throws(() => readTaskFile(join(scratch.path, 'missing.csv')), /does not exist/);
  const tokenizer = brownTokenizer(512, 5);
  const task = fileTask(csv, { tokenizer, seqLength: 16 });
  assert.deepEqual(task.labels, ['pos', 'neg']);
  assert.equal(task.train.length, 1);
  assert.equal(task.test[0].label, 1);
});

test("Brown's tasks are split by file, as pre-training's held-out split is", () => {
  const tokenizer = brownTokenizer(1024, 20);
  const pos = brownPosTask({ tokenizer, seqLength: 64, maxTrain: 50, maxTest: 20 });
  assert.equal(pos.kind, 'token');
  assert.ok(pos.labels.includes('nn') && pos.labels.includes('at') && !pos.labels.some((l) => l.endsWith('-tl')));
  // Every sequence holds at most 64 pieces with [CLS] and [SEP] unscored.
  for (const s of [...pos.train, ...pos.test]) {
    assert.ok(s.ids.length <= 64);
    assert.equal(s.tokenLabels![0], -1);
    assert.equal(s.tokenLabels![s.ids.length - 1], -1);
  }
  const genre = brownGenreTask({ tokenizer, seqLength: 64 });
  assert.equal(genre.labels.join(''), 'abcdefghjklmnpr');
  const heldOutFiles = listBrownFiles().filter((f) => isHeldOut(basename(f), 0.1));
  assert.ok(heldOutFiles.length > 30 && heldOutFiles.length < 80, `${heldOutFiles.length} held-out files`);
  // Four windows from each file of at least four windows' length.
  assert.ok(genre.test.length <= 4 * heldOutFiles.length && genre.test.length > 3 * heldOutFiles.length);
});

test('the most-frequent-tag baseline against a hand count', () => {
  const w = (word: string, tag: number) => ({ word, tag });
  // 'run': tag 1 twice, tag 2 once -> 1. 'the': 0 -> 0. 'can': tied 3/4 -> 3 (the smaller index). Overall: tag 0 (3 times).
  const train = [w('the', 0), w('run', 1), w('run', 2), w('run', 1), w('the', 0), w('can', 4), w('can', 3), w('a', 0)];
  // right: the/0, run/1, can/3, unseen 'dog'/0 (fallback 0); wrong: run/2, unseen 'cat'/5.
  const test = [w('the', 0), w('run', 1), w('run', 2), w('can', 3), w('dog', 0), w('cat', 5)];
  const s = mostFrequentTag(train, test);
  assert.equal(s.count, 6);
  assert.equal(s.accuracy, 4 / 6);
  assert.equal(s.unknownShare, 2 / 6);
  assert.throws(() => mostFrequentTag([], test), /needs training words/);
});

test("Brown POS carries its most-frequent-tag reference, and the dev split is drawn from the training files only", () => {
  const tokenizer = brownTokenizer(1024, 20);
  const onTest = brownPosTask({ tokenizer, seqLength: 64, maxTrain: 400, maxTest: 60 });
  const onDev = brownPosTask({ tokenizer, seqLength: 64, maxTrain: 400, maxTest: 60, heldOut: 'dev' });
  for (const t of [onTest, onDev]) {
    assert.equal(t.reference?.name, 'most-frequent tag');
    // 400 sequences of real Brown: well above the most frequent tag alone, well below a full-data tagger.
    assert.ok(t.reference!.score > 0.6 && t.reference!.score < 0.9, `reference ${t.reference!.score}`);
    assert.match(t.reference!.note, /\d+\.\d% of held-out words unseen in training/);
  }
  assert.match(onDev.split, /dev split/);
  // Different held-out sequences, and none of the dev ones is a test one.
  const key = (s: { ids: Int32Array }) => s.ids.join(',');
  const testKeys = new Set(onTest.test.map(key));
  assert.ok(onDev.test.every((s) => !testKeys.has(key(s))));
  // Dev sequences are not trained on.
  const devTrainKeys = new Set(brownPosTask({ tokenizer, seqLength: 64, heldOut: 'dev' }).train.map(key));
  assert.ok(onDev.test.every((s) => !devTrainKeys.has(key(s))));
});

test('layer-wise learning-rate decay: head at the full rate, each layer below at decay times the one above', async () => {
  const names = ['classifier.weight', 'discriminator.electra.encoder.layer.1.output.dense.weight', 'discriminator.electra.encoder.layer.0.attention.self.query.bias', 'discriminator.electra.embeddings_project.weight', 'electra.embeddings.word_embeddings.weight'];
  const scales = layerwiseLrScales(names, 2, 0.5);
  assert.deepEqual(names.map((n) => scales.get(n)), [1, 0.5, 0.25, 0.125, 0.125]);
  assert.throws(() => layerwiseLrScales(names, 2, 0), /decay must be in/);
  // AdamW applies a parameter's scale: Adam's first step moves each weight by about lr, so the scaled one by half.
  await initBackend('wasm');
  const a = tf.variable(tf.zeros([3]), true, 'lrscale-a');
  const b = tf.variable(tf.zeros([3]), true, 'lrscale-b');
  const opt = new AdamW(new Map([['a', a], ['b', b]]), new Set());
  opt.apply(new Map([['a', tf.ones([3])], ['b', tf.ones([3])]]), 0.1, new Map([['b', 0.5]]));
  const [da, db] = [a.dataSync()[0], b.dataSync()[0]];
  assert.ok(Math.abs(da + 0.1) < 1e-4 && Math.abs(db + 0.05) < 1e-4, `steps ${da}, ${db}`);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test('a small encoder learns part-of-speech tagging on Brown, and its reported scores are its predictions', async () => {
  await initBackend('wasm');
  const tokenizer = brownTokenizer(1024, 40);
  const task = brownPosTask({ tokenizer, seqLength: 64, maxTrain: 240, maxTest: 40 });
  const model = new ElectraModel({ ...presetConfig('micro'), vocabSize: tokenizer.vocabSize, maxSeqLength: 64 }, 1);
  const records: Array<FinetuneStepMetrics | FinetuneEvalMetrics> = [];
  const result = await fineTune({ task, model, source: 'scratch', padId: tokenizer.specialIds.pad, epochs: 6, batchSize: 16, learningRate: 3e-3, seed: 5, onRecord: (r) => records.push(r) });
  model.dispose();
  const evals = records.filter((r): r is FinetuneEvalMetrics => r.type === 'finetuneEval');
  const steps = records.filter((r): r is FinetuneStepMetrics => r.type === 'finetuneStep');
  assert.equal(evals.length, 6);
  assert.equal(result.steps, 6 * Math.ceil(240 / 16));
  // The most frequent tag of the held-out words: what a model that learned nothing would score at best.
  const counts = new Map<number, number>();
  for (const s of task.test) for (const l of s.tokenLabels!) if (l >= 0) counts.set(l, (counts.get(l) ?? 0) + 1);
  const scored = [...counts.values()].reduce((a, n) => a + n, 0);
  const majority = Math.max(...counts.values()) / scored;
  assert.equal(evals[0].examples, scored);
  assert.ok(result.scores.accuracy > majority + 0.25, `accuracy ${result.scores.accuracy} vs most frequent tag ${majority}`);
  assert.ok(evals[5].accuracy > evals[0].accuracy, `accuracy by epoch ${evals.map((e) => e.accuracy.toFixed(3))}`);
  assert.ok(steps[steps.length - 1].loss < steps[0].loss / 2, `loss ${steps[0].loss} -> ${steps[steps.length - 1].loss}`);
  assert.equal(evals[5].score, evals[5].accuracy);
});
