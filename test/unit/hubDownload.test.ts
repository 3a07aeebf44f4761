/**
 * Hub downloads against a local server on 127.0.0.1 that serves fixture repositories the way the
 * Hugging Face Hub does (test/harness/fakeHub.ts): the revision and tree APIs, /resolve/ URLs
 * that redirect LFS files to a CDN on another origin, ETags, Range requests with If-Range, and
 * gated repositories.
 */
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultHubCacheDir } from '../../src/core/hub/hubCache';
import { downloadModel, hubSettingsFromEnv, type DownloadProgress } from '../../src/core/hub/hubDownload';
import { tempDir } from './engineFixtures';
import { deadEndpoint, sha256, startFakeHub, text, type FakeHub, type FixtureRepo, type SeenRequest } from '../harness/fakeHub';

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff));

const repos: Record<string, FixtureRepo> = {
  'google/electra-tiny-discriminator': {
    commit: 'a'.repeat(40),
    files: {
      'config.json': text('{"model_type":"electra","hidden_size":8}\n'),
      'vocab.txt': text('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n'),
      'tokenizer_config.json': text('{"do_lower_case":true}\n'),
      'README.md': text('# model card\n'),
      'model.safetensors': { data: bytes(300_000, 1), lfs: true },
      'pytorch_model.bin': { data: bytes(1000, 2), lfs: true },
      'tf_model.h5': { data: bytes(5000, 3), lfs: true },
    },
  },
  'org/bin-only': { commit: 'b'.repeat(40), files: { 'config.json': text('{}'), 'pytorch_model.bin': { data: bytes(2048, 4), lfs: true } } },
  'org/tf-only': { commit: 'c'.repeat(40), files: { 'config.json': text('{}'), 'tf_model.h5': { data: bytes(100, 5), lfs: true } } },
  'org/gated': { commit: 'd'.repeat(40), gated: 'secret-token', files: { 'config.json': text('{}'), 'model.safetensors': { data: bytes(64, 6), lfs: true } } },
};

let fake: FakeHub;
let hubUrl = '';
let seen: SeenRequest[] = [];
let breakNext = new Set<string>();
let corrupt = new Set<string>();
const scratch = tempDir('hub');
before(async () => {
  fake = await startFakeHub(repos);
  ({ url: hubUrl, seen, breakNext, corrupt } = fake);
});
after(async () => {
  await fake.close();
  scratch.cleanup();
});

const cacheDir = (name: string) => join(scratch.path, name);

test('downloads the files the engine reads into the Hub cache layout, with progress, once', async () => {
  const progress: DownloadProgress[] = [];
  const cache = cacheDir('first');
  const id = 'google/electra-tiny-discriminator';
  const got = await downloadModel(id, { endpoint: hubUrl, cacheDir: cache, onProgress: (p) => progress.push(p) });
  const repo = repos[id];
  assert.equal(got.commit, repo.commit);
  assert.equal(got.dir, join(cache, 'models--google--electra-tiny-discriminator', 'snapshots', repo.commit));
  // safetensors wins over pytorch_model.bin; the TensorFlow weights and the model card are not fetched.
  assert.deepEqual(got.files.sort(), ['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
  for (const f of got.files) {
    assert.deepEqual(readFileSync(join(got.dir, f)), repo.files[f].data, f);
    assert.ok(lstatSync(join(got.dir, f)).isSymbolicLink(), `${f} links to its blob`);
  }
  assert.equal(readFileSync(join(cache, 'models--google--electra-tiny-discriminator', 'refs', 'main'), 'utf8'), repo.commit);
  const total = got.files.reduce((s, f) => s + repo.files[f].data.length, 0);
  assert.equal(got.fetchedBytes, total);
  assert.ok(progress.length >= got.files.length);
  assert.ok(progress.every((p, i) => p.totalBytes === total && (i === 0 || p.bytes >= progress[i - 1].bytes)), 'progress only grows');
  assert.equal(progress[progress.length - 1].bytes, total);

  seen.length = 0;
  const again = await downloadModel(id, { endpoint: hubUrl, cacheDir: cache });
  assert.equal(again.fetchedBytes, 0);
  assert.ok(!seen.some((s) => s.url.includes('/resolve/') || s.server === 'cdn'), 'nothing fetched the second time');
});

test('takes pytorch_model.bin when there is no safetensors; refuses a TensorFlow-only repository and a missing one', async () => {
  const got = await downloadModel('org/bin-only', { endpoint: hubUrl, cacheDir: cacheDir('bin') });
  assert.deepEqual(got.files.sort(), ['config.json', 'pytorch_model.bin']);
  await assert.rejects(downloadModel('org/tf-only', { endpoint: hubUrl, cacheDir: cacheDir('bin') }), /neither model\.safetensors nor pytorch_model\.bin/);
  await assert.rejects(downloadModel('org/missing', { endpoint: hubUrl, cacheDir: cacheDir('bin') }), /not found on http:\/\/127\.0\.0\.1/);
  await assert.rejects(downloadModel('../../etc', { endpoint: hubUrl, cacheDir: cacheDir('bin') }), /not a Hugging Face model id/);
});

test('an interrupted download resumes with a Range request where it stopped', async () => {
  const id = 'google/electra-tiny-discriminator';
  const cache = cacheDir('resume');
  breakNext.add(`${id}/model.safetensors`);
  await assert.rejects(downloadModel(id, { endpoint: hubUrl, cacheDir: cache }), /kept; run the download again to resume/);
  const blobs = join(cache, 'models--google--electra-tiny-discriminator', 'blobs');
  const partial = readdirSync(blobs).find((f) => f.endsWith('.incomplete'));
  assert.ok(partial, 'the partial file is kept');
  const kept = readFileSync(join(blobs, partial!)).length;
  assert.ok(kept > 0 && kept < 300_000, `kept ${kept} bytes`);

  seen.length = 0;
  const got = await downloadModel(id, { endpoint: hubUrl, cacheDir: cache });
  const request = seen.find((s) => s.server === 'cdn');
  assert.equal(request?.range, `bytes=${kept}-`);
  assert.equal(request?.ifRange, `"${sha256(repos[id].files['model.safetensors'].data)}"`);
  assert.equal(got.fetchedBytes, 300_000 - kept);
  assert.deepEqual(readFileSync(join(got.dir, 'model.safetensors')), repos[id].files['model.safetensors'].data);
  assert.ok(!readdirSync(blobs).some((f) => f.endsWith('.incomplete')));
});

test('contents that do not match the listed hash never enter the cache', async () => {
  const id = 'org/bin-only';
  const cache = cacheDir('corrupt');
  corrupt.add(`${id}/pytorch_model.bin`);
  try {
    await assert.rejects(downloadModel(id, { endpoint: hubUrl, cacheDir: cache }), /contents hash to [0-9a-f]+, the listing says/);
  } finally {
    corrupt.delete(`${id}/pytorch_model.bin`);
  }
  assert.ok(!existsSync(join(cache, 'models--org--bin-only', 'snapshots')), 'no snapshot');
});

test('HF_TOKEN opens a gated repository and is not sent to the CDN', async () => {
  await assert.rejects(downloadModel('org/gated', { endpoint: hubUrl, cacheDir: cacheDir('gated') }), /gated or private \(or does not exist: the Hub says 401 for both\); set HF_TOKEN/);
  await assert.rejects(downloadModel('org/gated', { endpoint: hubUrl, cacheDir: cacheDir('gated'), token: 'wrong' }), /HF_TOKEN does not grant access/);
  seen.length = 0;
  const settings = hubSettingsFromEnv({ HF_ENDPOINT: `${hubUrl}/`, HF_TOKEN: 'secret-token', HF_HUB_CACHE: cacheDir('gated') });
  const got = await downloadModel('org/gated', settings);
  assert.deepEqual(got.files.sort(), ['config.json', 'model.safetensors']);
  assert.ok(seen.some((s) => s.server === 'hub' && s.auth === 'Bearer secret-token'));
  const cdnRequests = seen.filter((s) => s.server === 'cdn');
  assert.ok(cdnRequests.length > 0 && cdnRequests.every((s) => s.auth === undefined), 'no token on the redirect to another origin');
});

test('offline: a clear error, or the cached snapshot when there is one', async () => {
  const deadUrl = await deadEndpoint();
  const cache = cacheDir('offline');
  await assert.rejects(downloadModel('org/bin-only', { endpoint: deadUrl, cacheDir: cache }), /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline\?/);
  const online = await downloadModel('org/bin-only', { endpoint: hubUrl, cacheDir: cache });
  const offline = await downloadModel('org/bin-only', { endpoint: deadUrl, cacheDir: cache });
  assert.equal(offline.dir, online.dir);
  assert.equal(offline.fetchedBytes, 0);
  const flagged = await downloadModel('org/bin-only', { endpoint: deadUrl, cacheDir: cache, offline: true });
  assert.equal(flagged.dir, online.dir);
  await assert.rejects(downloadModel('org/gated', { cacheDir: cache, offline: true }), /HF_HUB_OFFLINE is set and org\/gated \(main\) is not in the cache/);
});

test('settings come from the environment as huggingface_hub reads them', () => {
  assert.deepEqual(hubSettingsFromEnv({}).endpoint, 'https://huggingface.co');
  assert.equal(hubSettingsFromEnv({ HF_ENDPOINT: 'http://mirror.local/' }).endpoint, 'http://mirror.local');
  assert.equal(defaultHubCacheDir({ HF_HOME: '/h' }), '/h/hub');
  assert.equal(defaultHubCacheDir({ HF_HUB_CACHE: '/c', HF_HOME: '/h' }), '/c');
  assert.equal(hubSettingsFromEnv({ HF_HUB_OFFLINE: '1' }).offline, true);
});
