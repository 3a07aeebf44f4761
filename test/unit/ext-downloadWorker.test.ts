// The extension's download path without VS Code: the real worker bundle (dist/downloadWorker.js)
// downloads the PyTorch fixture pair from a local Hub on 127.0.0.1 (test/harness/fakeHub.ts),
// found through HF_ENDPOINT in the environment the worker inherits, off the calling thread,
// relays byte progress, imports the run (listed with its origin), and stops when cancelled.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { downloadInWorker } from '../../src/extension/downloadWorkerClient';
import { hubModelName, modelIdProblem } from '../../src/core/hub/hubImport';
import { DOWNLOAD_PROTOCOL_VERSION, downloadMessageProblem, isDownloadRequest } from '../../src/shared/downloadProtocol';
import { listRuns } from '../../src/extension/runs';
import { describeOrigin, parseRunOrigin } from '../../src/shared/runOrigin';
import { repoFromFolder, startFakeHub, type FakeHub } from '../harness/fakeHub';
import { tempDir } from './engineFixtures';

const repo = resolve(__dirname, '../../..');
const workerPath = join(repo, 'dist', 'downloadWorker.js');
const PAIR = join(repo, 'test', 'fixtures', 'hf', 'pair');
const scratch = tempDir('download-worker');
let hub: FakeHub;
const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_HOME: process.env.HF_HOME, HF_TOKEN: process.env.HF_TOKEN };
before(async () => {
  hub = await startFakeHub({
    'google/electra-fixture-discriminator': repoFromFolder(join(PAIR, 'discriminator'), '1'.repeat(40)),
    'google/electra-fixture-generator': repoFromFolder(join(PAIR, 'generator'), '2'.repeat(40)),
  });
  // What the extension host would have from the environment VS Code started in.
  process.env.HF_ENDPOINT = hub.url;
  process.env.HF_HOME = join(scratch.path, 'hf-home');
  delete process.env.HF_TOKEN;
});
after(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await hub.close();
  scratch.cleanup();
});

test('the download worker fetches the pair through HF_ENDPOINT, reports bytes, and the imported run is listed', async () => {
  assert.ok(existsSync(workerPath), `${workerPath} missing: run node scripts/build.mjs first`);
  const runs = join(scratch.path, 'runs');
  const bytes: Array<{ repoId: string; bytes: number; totalBytes: number }> = [];
  const logs: string[] = [];
  const result = await downloadInWorker(workerPath, { modelId: 'google/electra-fixture-discriminator', outDir: join(runs, 'electra-fixture') }, { onBytes: (p) => bytes.push(p), onLog: (m) => logs.push(m) });
  assert.equal(result.report.generator, 'imported');
  assert.equal(result.generator?.repoId, 'google/electra-fixture-generator');
  assert.ok(result.discriminator.fetchedBytes > 0);
  for (const id of ['google/electra-fixture-discriminator', 'google/electra-fixture-generator']) {
    const last = bytes.filter((b) => b.repoId === id).pop();
    assert.ok(last && last.bytes === last.totalBytes && last.totalBytes > 10_000, `${id}: progress ends at the total (${JSON.stringify(last)})`);
  }
  assert.deepEqual(logs, ['reading configuration and tokenizer', 'reading weights', 'writing the run']);
  const listed = await listRuns(runs);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].latestCheckpoint?.step, 0);
  // The dashboard's run list names the Hub repository and commit, not the cache folder.
  assert.equal(describeOrigin(listed[0].origin!), `imported from google/electra-fixture-discriminator@${'1'.repeat(7)}`);
  assert.equal(listed[0].origin?.hub?.generator?.repoId, 'google/electra-fixture-generator');
});

test('cancelled: the worker stops, nothing is imported, and the next attempt completes from what was kept', async () => {
  const out = join(scratch.path, 'runs', 'cancelled');
  const abort = new AbortController();
  abort.abort();
  const fresh = { ...process.env };
  process.env.HF_HOME = join(scratch.path, 'hf-home-cancel');
  try {
    await assert.rejects(downloadInWorker(workerPath, { modelId: 'google/electra-fixture-discriminator', outDir: out }, {}, abort.signal), /download cancelled/);
    assert.ok(!existsSync(out), 'no run written');
    const again = await downloadInWorker(workerPath, { modelId: 'google/electra-fixture-discriminator', generatorId: null, outDir: out }, {});
    assert.equal(again.report.generator, 'initialised');
    assert.ok(readdirSync(out).length > 0);
  } finally {
    process.env.HF_HOME = fresh.HF_HOME;
  }
});

test('offline: the worker returns the one-line error', async () => {
  process.env.HF_HUB_OFFLINE = '1';
  try {
    const out = join(scratch.path, 'runs', 'offline');
    process.env.HF_HOME = join(scratch.path, 'never');
    await assert.rejects(downloadInWorker(workerPath, { modelId: 'google/electra-fixture-discriminator', outDir: out }, {}), /HF_HUB_OFFLINE is set and google\/electra-fixture-discriminator \(main\) is not in the cache/);
    assert.ok(!existsSync(out));
  } finally {
    delete process.env.HF_HUB_OFFLINE;
    process.env.HF_HOME = join(scratch.path, 'hf-home');
  }
});

test('model ids and run names; the download protocol names malformed messages', () => {
  assert.equal(modelIdProblem('google/electra-small-discriminator'), undefined);
  assert.equal(modelIdProblem('bert-base-uncased'), undefined);
  assert.ok(modelIdProblem('../etc/passwd'));
  assert.ok(modelIdProblem('a/b/c'));
  assert.match(modelIdProblem('a b')!, /not a Hugging Face model id/);
  assert.equal(hubModelName('google/electra-base-discriminator'), 'electra-base');
  assert.equal(hubModelName('bert-base-uncased'), 'bert-base-uncased');
  assert.equal(downloadMessageProblem({ v: DOWNLOAD_PROTOCOL_VERSION, type: 'bytes', repoId: 'a/b', file: 'x', bytes: 1, totalBytes: 2 }), undefined);
  assert.equal(downloadMessageProblem({ v: DOWNLOAD_PROTOCOL_VERSION, type: 'bytes', repoId: 'a/b' }), 'malformed bytes');
  assert.equal(downloadMessageProblem({ v: 7, type: 'log', message: 'x' }), `protocol version 7, expected ${DOWNLOAD_PROTOCOL_VERSION}`);
  assert.equal(downloadMessageProblem({ v: DOWNLOAD_PROTOCOL_VERSION, type: 'done', result: {} }), 'malformed done');
  assert.equal(isDownloadRequest({ v: DOWNLOAD_PROTOCOL_VERSION, options: { modelId: 'a/b', outDir: '/x' } }), true);
  assert.equal(isDownloadRequest({ v: DOWNLOAD_PROTOCOL_VERSION, options: { modelId: 'a/b' } }), false);
  // run.json's origin as a workspace may craft it: a malformed hub field is dropped.
  assert.equal(describeOrigin(parseRunOrigin({ kind: 'imported', from: '/x/snap', hub: { repoId: 7 } })!), 'imported from snap (generator initialised)');
});
