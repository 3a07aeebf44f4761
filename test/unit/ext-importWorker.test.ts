// The extension's import path without VS Code: the real worker bundle (dist/importWorker.js)
// imports the PyTorch fixture pair off the calling thread, relays progress, and the run it
// writes is listed with its origin; a bad folder comes back as the import's one-line error.
// Also electraStudio.startFrom's resolution (run name, folder, empty).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { importInWorker } from '../../src/extension/importWorkerClient';
import { IMPORT_PROTOCOL_VERSION, importMessageProblem, isImportRequest } from '../../src/shared/importProtocol';
import { listRuns, resolveStartFrom } from '../../src/extension/runs';
import { describeOrigin } from '../../src/shared/runOrigin';
import { BASE_MODEL_START, SETTING_DEFAULTS } from '../../src/shared/defaults';
import { tempDir } from './engineFixtures';

const repo = resolve(__dirname, '../../..');
const workerPath = join(repo, 'dist', 'importWorker.js');
const PAIR = join(repo, 'test', 'fixtures', 'hf', 'pair');
const scratch = tempDir('import-worker');
after(() => scratch.cleanup());

test('the import worker imports a pair, reports progress, and the run is listed with its origin', async () => {
  assert.ok(existsSync(workerPath), `${workerPath} missing: run node scripts/build.mjs first`);
  const runs = join(scratch.path, 'runs');
  const progress: string[] = [];
  const report = await importInWorker(workerPath, { discriminatorDir: join(PAIR, 'discriminator'), generatorDir: join(PAIR, 'generator'), outDir: join(runs, 'electra-fixture') }, (m) => progress.push(m));
  assert.deepEqual(progress, ['reading configuration and tokenizer', 'reading weights', 'writing the run']);
  assert.equal(report.generator, 'imported');
  const listed = await listRuns(runs);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].latestCheckpoint?.step, 0);
  assert.equal(describeOrigin(listed[0].origin!), 'imported from discriminator');
});

test('a bad folder: the worker returns the import error, nothing is written', async () => {
  const out = join(scratch.path, 'runs', 'bad');
  const empty = join(scratch.path, 'empty');
  mkdirSync(empty);
  await assert.rejects(importInWorker(workerPath, { discriminatorDir: empty, outDir: out }, () => undefined), /empty: no config\.json; not a Hugging Face model folder/);
  assert.ok(!existsSync(out));
});

test('electraStudio.startFrom: a run by name, a folder relative to the workspace, empty for from scratch', () => {
  const workspace = join(scratch.path, 'ws');
  const runs = join(workspace, '.electra', 'runs');
  mkdirSync(join(runs, 'base-run'), { recursive: true });
  mkdirSync(join(workspace, 'models', 'electra-small'), { recursive: true });
  assert.equal(resolveStartFrom('', workspace, runs), undefined);
  assert.equal(resolveStartFrom('base-run', workspace, runs), join(runs, 'base-run'));
  assert.equal(resolveStartFrom('models/electra-small', workspace, runs), join(workspace, 'models', 'electra-small'));
  assert.throws(() => resolveStartFrom('nothing-here', workspace, runs), /electraStudio\.startFrom: 'nothing-here' is neither a run under .* nor a folder/);
});

test("electraStudio.startFrom: 'base' (the default) is the base model shipped with the extension, and a clear error where it is missing", () => {
  const workspace = join(scratch.path, 'ws-base');
  const runs = join(workspace, '.electra', 'runs');
  const shipped = resolve(__dirname, '../../../models/base');
  assert.equal(SETTING_DEFAULTS.startFrom, BASE_MODEL_START);
  assert.equal(resolveStartFrom(BASE_MODEL_START, workspace, runs, shipped), shipped);
  assert.ok(existsSync(join(shipped, 'checkpoints', 'latest.json')), 'the repository ships the base model');
  assert.throws(() => resolveStartFrom(BASE_MODEL_START, workspace, runs, join(scratch.path, 'no-such-extension', 'models', 'base')), /the base model is not installed with this extension .*; set it to '' to pre-train from scratch/);
});

test('import protocol: other versions, unknown types and malformed messages are named', () => {
  assert.equal(importMessageProblem({ v: IMPORT_PROTOCOL_VERSION, type: 'progress', message: 'reading weights' }), undefined);
  assert.equal(importMessageProblem({ v: 99, type: 'progress', message: 'x' }), `protocol version 99, expected ${IMPORT_PROTOCOL_VERSION}`);
  assert.equal(importMessageProblem({ v: IMPORT_PROTOCOL_VERSION, type: 'explode' }), 'unknown message type explode');
  assert.equal(importMessageProblem({ v: IMPORT_PROTOCOL_VERSION, type: 'done', report: {} }), 'malformed done');
  assert.equal(importMessageProblem('done'), 'not an object');
  assert.equal(isImportRequest({ v: IMPORT_PROTOCOL_VERSION, options: { discriminatorDir: '/a', outDir: '/b' } }), true);
  assert.equal(isImportRequest({ v: IMPORT_PROTOCOL_VERSION, options: { discriminatorDir: '/a' } }), false);
});
