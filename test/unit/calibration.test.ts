/**
 * A model's calibration (src/core/quality/calibration.ts, format src/shared/calibrationFormat.ts):
 * the threshold fitted on clean held-out prose flags no more of its words than a rate of 5 per
 * 1,000 allows with 95% confidence, and is the lowest that does (the shipped base model on
 * Brown's held-out files); the prose is drawn from all the held-out files; a
 * pre-training run writes one for its final checkpoint; crafted files give a clear note,
 * never a crash; and the threshold rule (setting, else calibration, else the default).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  CALIBRATION_FORMAT,
  CALIBRATION_VERSION,
  describeThreshold,
  parseCalibration,
  thresholdInUse,
  type Calibration,
} from '../../src/shared/calibrationFormat';
import { CALIBRATION_DEFAULTS, ERROR_BENCHMARK_DEFAULTS, SCORING_DEFAULTS } from '../../src/shared/defaults';
import { maxFlagsWithin } from '../../src/core/quality/metrics';
import { corpusDocuments } from '../../src/core/quality/corpusText';
import { calibrateCheckpoint, calibrationText, readCalibration, takeWords } from '../../src/core/quality/calibration';
import { wordScores, wordsOf } from '../../src/core/quality/words';
import { findLatestCheckpoint } from '../../src/core/run/checkpoint';
import { Scorer } from '../../src/core/score/scoring';
import { pretrain, type PretrainOptions } from '../../src/core/train/pretrain';
import { initBackend } from '../../src/core/wasm/backend';
import * as tf from '@tensorflow/tfjs-core';
import { rustBookCorpus, tempDir } from './engineFixtures';

const scratch = tempDir('calibration');
after(() => scratch.cleanup());
const baseModel = resolve(__dirname, '../../../models/base');

const valid: Calibration = {
  format: CALIBRATION_FORMAT,
  version: CALIBRATION_VERSION,
  threshold: 0.62,
  falseFlagsPer1000: 5,
  words: 20000,
  step: 10,
  fittedOn: 'held-out prose of the Brown corpus, no planted errors',
  seconds: 2.5,
};

test("the shipped base model's threshold bounds its false flags at 5 in 1,000 clean held-out words with 95% confidence, and is the lowest that does", async () => {
  const brown = { kind: 'brown' as const };
  const maxWords = 3000;
  await initBackend('wasm');
  const tensorsBefore = tf.memory().numTensors;
  const outcome = await calibrateCheckpoint(baseModel, brown, { maxWords, backend: 'wasm' });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the scorer it loaded is disposed: a run ends with no tensor left behind');
  assert.ok('calibration' in outcome, JSON.stringify(outcome));
  const c = outcome.calibration;
  assert.ok(c.threshold > 0 && c.threshold < 1, `threshold ${c.threshold}`);
  assert.equal(c.falseFlagsPer1000, ERROR_BENCHMARK_DEFAULTS.falseFlagBudget);
  assert.equal(c.confidence, CALIBRATION_DEFAULTS.confidence);
  assert.deepEqual(parseCalibration(JSON.parse(JSON.stringify(c)), 'x'), c, 'what calibrate writes, the parser reads back');

  // Score the same text independently: count the flags at the threshold and just below it.
  const { text, heldOut } = await calibrationText(brown, maxWords);
  assert.ok(heldOut);
  const words = wordsOf(text);
  assert.ok(words.length <= maxWords && words.length > maxWords * 0.9, `${words.length} words of held-out Brown`);
  const scorer = await Scorer.load(baseModel, { workers: 1, backend: 'wasm' });
  let scores: number[];
  try {
    assert.equal(c.step, scorer.checkpointStep);
    const tokens = (await scorer.score(text)).tokens.map((t) => ({ start: t.start, end: t.end, score: t.pReplaced }));
    scores = Array.from(wordScores(words, tokens)).filter((s) => !Number.isNaN(s));
  } finally {
    scorer.dispose();
  }
  assert.equal(c.words, scores.length);
  const allowed = maxFlagsWithin(scores.length, c.falseFlagsPer1000 / 1000, 1 - CALIBRATION_DEFAULTS.confidence);
  assert.ok(allowed > 0 && allowed < Math.floor((scores.length * c.falseFlagsPer1000) / 1000), `${allowed} flags allowed of ${scores.length} words`);
  const flagged = scores.filter((s) => s >= c.threshold).length;
  assert.ok(flagged <= allowed, `${flagged} flags > ${allowed} allowed`);
  const below = Math.max(...scores.filter((s) => s < c.threshold));
  assert.ok(scores.filter((s) => s >= below).length > allowed, 'the next lower score would flag more than allowed');
  // Not the default by accident: at 0.5 the base model's flags are not those of its calibration.
  assert.notEqual(scores.filter((s) => s >= SCORING_DEFAULTS.threshold).length, flagged, 'at 0.5 the base model flags another number of words');
});

test('the calibration prose is drawn from all the held-out documents, not the first ones, the same each time', async () => {
  const brown = { kind: 'brown' as const };
  const { text } = await calibrationText(brown, 3000);
  assert.equal((await calibrationText(brown, 3000)).text, text);
  const docs = await corpusDocuments(brown, 'heldOut');
  const lines = text.split('\n').filter((l) => l.trim().length > 20);
  const from = new Set(lines.map((l) => docs.findIndex((d) => d.text.includes(l.trim().split(/(?<=[.!?]) /)[0]))));
  assert.ok(!from.has(-1), 'every paragraph comes from a held-out document');
  assert.ok(from.size >= 10, `${from.size} documents of ${docs.length}`);
  assert.ok(Math.max(...from) > docs.length / 2, 'the later documents are drawn too');
});

test('the shipped base model carries a valid calibration for its checkpoint', () => {
  const dir = findLatestCheckpoint(baseModel)!;
  const step = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).step as number;
  const found = readCalibration(dir, step);
  assert.equal(found.note, undefined);
  assert.ok(found.calibration && found.calibration.threshold > 0 && found.calibration.threshold < 1);
});

test('a pre-training run writes the calibration of its final checkpoint, and a resumed run replaces it', async () => {
  const corpus = rustBookCorpus(join(scratch.path, 'rust'), 40);
  const options: PretrainOptions = {
    corpus: { kind: 'folder', root: corpus },
    outDir: join(scratch.path, 'run'),
    preset: 'micro',
    steps: 4,
    batchSize: 4,
    seed: 3,
    backend: 'wasm',
    checkpointEvery: 100,
    evalEvery: 100,
    evalSequences: 8,
    config: { maxSeqLength: 32, vocabSize: 600 },
    calibrationWords: 5000,
  };
  const logs: string[] = [];
  const first = await pretrain(options, { onLog: (_l, m) => logs.push(m) });
  const found = readCalibration(first.checkpointDir, 4);
  assert.ok(found.calibration, `no calibration: ${found.note ?? logs.join('\n')}`);
  assert.equal(found.calibration.step, 4);
  assert.ok(found.calibration.words > 1000 && found.calibration.words <= 5000, `${found.calibration.words} words`);
  assert.ok(logs.some((m) => /^calibration: threshold 0\.\d+: at most 5 false flags per 1,000 words with 95% confidence, fitted on/.test(m)), logs.join('\n'));

  const second = await pretrain({ ...options, steps: 6, resume: true });
  assert.equal(readCalibration(second.checkpointDir, 6).calibration?.step, 6);
  // The earlier checkpoint's calibration is gone with it: step 4 now falls back to the default.
  assert.match(readCalibration(first.checkpointDir, 4).note ?? '', /belongs to step 6, not to the checkpoint in use \(step 4\)/);

  const none = await pretrain({ ...options, outDir: join(scratch.path, 'none'), calibrationWords: 0 });
  assert.deepEqual(readCalibration(none.checkpointDir, 4), {});
});

test('too little held-out prose gives no calibration, with the reason', async () => {
  const outcome = await calibrateCheckpoint(baseModel, { kind: 'brown' }, { maxWords: 500, backend: 'wasm' });
  assert.ok('skipped' in outcome);
  assert.match(outcome.skipped, /the Brown corpus has \d+ words of held-out prose, fewer than the 1000 a calibration needs/);
});

test('crafted calibration files are refused with a clear message', () => {
  const bad: Array<[unknown, RegExp]> = [
    [null, /not a JSON object/],
    [[1], /not a JSON object/],
    [{ ...valid, format: 'other' }, /format is "other"/],
    [{ ...valid, version: 2 }, /version 2; this version of ELECTRA Studio reads version 1/],
    [{ ...valid, threshold: 0 }, /threshold 0 is not a number in \(0, 1\)/],
    [{ ...valid, threshold: 1 }, /threshold 1 is not/],
    [{ ...valid, threshold: -0.5 }, /threshold -0.5 is not/],
    [{ ...valid, threshold: '0.5' }, /threshold "0.5" is not/],
    [{ ...valid, threshold: null }, /threshold null is not/],
    [{ ...valid, falseFlagsPer1000: 1e9 }, /falseFlagsPer1000/],
    [{ ...valid, words: 1.5 }, /words is not a positive integer/],
    [{ ...valid, step: -1 }, /step is not a non-negative integer/],
    [{ ...valid, fittedOn: 'x'.repeat(5000) }, /fittedOn is not a short string/],
    [{ ...valid, seconds: 'soon' }, /seconds/],
  ];
  for (const [json, message] of bad) {
    assert.throws(() => parseCalibration(json, '/m/calibration.json'), (e: Error) => e.message.startsWith('/m/calibration.json: not a valid calibration') && message.test(e.message), JSON.stringify(json)?.slice(0, 80));
  }
  const { seconds: _, ...withoutSeconds } = valid;
  assert.deepEqual(parseCalibration({ ...withoutSeconds, extra: 1 }, 'x'), withoutSeconds, 'unknown fields are dropped');
});

test('reading a model folder: none, valid, another step, damaged, oversized, or not a file', () => {
  const model = join(scratch.path, 'model');
  const ckpt = join(model, 'checkpoints', 'step-00000010');
  mkdirSync(ckpt, { recursive: true });
  const file = join(model, 'calibration.json');
  assert.deepEqual(readCalibration(ckpt, 10), {}, 'no file: no calibration, nothing to say');
  writeFileSync(file, JSON.stringify(valid));
  assert.deepEqual(readCalibration(ckpt, 10), { calibration: valid });
  assert.match(readCalibration(ckpt, 12).note!, /belongs to step 10, not to the checkpoint in use \(step 12\)/);
  writeFileSync(file, '{"format": "electra-studio-calibration", ');
  assert.match(readCalibration(ckpt, 10).note!, /calibration\.json: not valid JSON .*; ignored$/);
  writeFileSync(file, JSON.stringify({ ...valid, threshold: 7 }));
  assert.match(readCalibration(ckpt, 10).note!, /threshold 7 is not a number in \(0, 1\)\); ignored/);
  writeFileSync(file, JSON.stringify({ ...valid, fittedOn: ' '.repeat(100) }) + ' '.repeat(70 * 1024));
  assert.match(readCalibration(ckpt, 10).note!, /larger than a calibration can be/);
  const other = join(scratch.path, 'other');
  mkdirSync(join(other, 'calibration.json'), { recursive: true });
  mkdirSync(join(other, 'checkpoints', 'step-00000010'), { recursive: true });
  assert.match(readCalibration(join(other, 'checkpoints', 'step-00000010'), 10).note!, /not a file/);
  // A checkpoint outside the run layout (an imported model) has none: the default applies.
  assert.deepEqual(readCalibration(join(scratch.path, 'loose-checkpoint'), 10), {});
});

test('the threshold rule: the explicit setting, else the calibration, else the default; each says where it came from', () => {
  assert.deepEqual(thresholdInUse(0.3, valid), { value: 0.3, source: 'setting' });
  assert.deepEqual(thresholdInUse(0, valid), { value: 0, source: 'setting' }, 'an explicit 0 is a setting, not "auto"');
  assert.deepEqual(thresholdInUse(null, valid), { value: 0.62, source: 'calibrated', falseFlagsPer1000: 5 });
  assert.deepEqual(thresholdInUse(undefined, undefined), { value: SCORING_DEFAULTS.threshold, source: 'default' });
  assert.equal(describeThreshold(thresholdInUse(null, valid)), '0.62, calibrated for 5 false flags per 1,000 words');
  assert.equal(describeThreshold(thresholdInUse(0.3, valid)), '0.30, set by electraStudio.annotation.threshold');
  assert.equal(describeThreshold(thresholdInUse(0.3, valid), '--threshold'), '0.30, set by --threshold');
  assert.equal(describeThreshold(thresholdInUse(null, undefined)), '0.50, the default (this model has no calibration)');
});

test('takeWords keeps whole sentences up to the word budget', () => {
  const paragraphs = [['One two three.', 'Four five.'], ['Six seven eight nine.']];
  assert.deepEqual(takeWords(paragraphs, 5), [['One two three.', 'Four five.']]);
  assert.deepEqual(takeWords(paragraphs, 4), [['One two three.']]);
  assert.deepEqual(takeWords(paragraphs, 100), paragraphs);
  assert.deepEqual(takeWords(paragraphs, 2), []);
});
