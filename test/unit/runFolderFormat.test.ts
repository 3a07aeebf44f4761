/**
 * The run manifest's schema (src/shared/runFolderFormat.ts): version 2 read back as
 * written, version 1 (the engine's raw options, as main a11aade wrote them) upgraded, and
 * damaged or foreign files refused with the file and the field named.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { parseLatestPointer, parseLockOwner, parseRunManifest, type RunManifest } from '../../src/shared/runFolderFormat';

const v1 = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/run-v1.json'), 'utf8'));

test('version 1 run.json is upgraded in memory to a version-2 manifest', () => {
  const m = parseRunManifest(v1, 'run.json');
  assert.equal(m.version, 2);
  assert.equal(m.preset, 'micro');
  assert.deepEqual(m.corpus, { kind: 'brown' });
  assert.equal(m.seed, 42);
  assert.equal(m.vocabSizeAsked, 300);
  assert.deepEqual(m.budget, { steps: 1 });
  assert.equal(m.created, v1.startedAt);
  assert.equal(m.model.discriminator.hiddenSize, 32);
  assert.equal(m.training.batchSize, 8);
  assert.deepEqual(m.normalization, { lowercase: true, stripAccents: true });
});

test('a version-2 manifest reads back as written', () => {
  const m: RunManifest = { ...parseRunManifest(v1, 'run.json'), origin: { checkpoint: '/runs/a/checkpoints/step-00000100', step: 100 } };
  assert.deepEqual(parseRunManifest(JSON.parse(JSON.stringify(m)), 'run.json'), m);
});

test('damaged or foreign manifests are refused naming the file and the field', () => {
  const good = parseRunManifest(v1, 'r/run.json');
  const cases: Array<[unknown, RegExp]> = [
    ['text', /r\/run\.json: not a JSON object$/],
    [{ ...good, format: 'other' }, /not an ELECTRA Studio run manifest \(format "other"\)/],
    [{ ...good, version: 3 }, /run manifest version 3 is newer than this ELECTRA Studio reads \(2\)/],
    [{ ...good, seed: 1.5 }, /seed must be a valid number, got 1\.5/],
    [{ ...good, corpus: { kind: 'web' } }, /corpus\.kind must be "folder" or "brown", got "web"/],
    [{ ...good, corpus: { kind: 'folder', root: '/x', include: [1] } }, /corpus\.include must be a list of globs/],
    [{ ...good, training: { ...good.training, learningRate: -1 } }, /learningRate must be a valid number, got -1/],
    [{ ...good, model: { ...good.model, generator: null } }, /model\.generator must be an object/],
    [{ ...good, preset: 'tiny' }, /preset "tiny" differs from training\.preset "micro"/],
    [{ ...good, preset: 'huge', training: { ...good.training, preset: 'huge' } }, /training\.preset must be one of micro, tiny, small, base, got "huge"/],
    [{ ...good, created: 'yesterday' }, /created must be an ISO time/],
    [{ options: { preset: 'micro', corpus: { kind: 'brown' } } }, /version 1.*written by an early version without the model configuration/],
  ];
  for (const [json, pattern] of cases) assert.throws(() => parseRunManifest(json, 'r/run.json'), pattern, JSON.stringify(json).slice(0, 80));
});

test('latest.json and run.lock parsers reject torn files', () => {
  assert.deepEqual(parseLatestPointer({ step: 3, dir: 'step-00000003' }), { step: 3, dir: 'step-00000003' });
  assert.equal(parseLatestPointer({ step: -1, dir: 'x' }), undefined);
  assert.equal(parseLatestPointer(null), undefined);
  assert.deepEqual(parseLockOwner('{"pid":12,"hostname":"h","started":"2026-01-01T00:00:00Z","command":"pretrain"}'), { pid: 12, thread: 0, hostname: 'h', started: '2026-01-01T00:00:00Z', command: 'pretrain' });
  assert.equal(parseLockOwner('{"pid":12,"host'), undefined);
});
