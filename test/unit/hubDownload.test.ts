/**
 * Hub downloads against a local server on 127.0.0.1 that serves fixture repositories the way the
 * Hugging Face Hub does: the revision and tree APIs, /resolve/ URLs that redirect LFS files to a
 * CDN on another origin, ETags, Range requests with If-Range, and gated repositories.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultHubCacheDir } from '../../src/core/hub/hubCache';
import { downloadModel, hubSettingsFromEnv, type DownloadProgress } from '../../src/core/hub/hubDownload';
import { tempDir } from './engineFixtures';

interface FixtureFile { data: Buffer; lfs: boolean }
interface FixtureRepo { commit: string; gated?: string; files: Record<string, FixtureFile> }

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff));
const text = (s: string): FixtureFile => ({ data: Buffer.from(s), lfs: false });
const sha1Blob = (d: Buffer) => createHash('sha1').update(`blob ${d.length}\0`).update(d).digest('hex');
const sha256 = (d: Buffer) => createHash('sha256').update(d).digest('hex');

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

/** What the servers saw, for assertions. */
const seen: Array<{ server: 'hub' | 'cdn'; url: string; range?: string; ifRange?: string; auth?: string }> = [];
/** Paths whose next CDN response breaks off half-way. */
const breakNext = new Set<string>();
/** Paths whose CDN response is corrupted (one byte flipped). */
const corrupt = new Set<string>();

let hub: Server;
let cdn: Server;
let hubUrl = '';
let cdnUrl = '';
const scratch = tempDir('hub');
after(() => scratch.cleanup());

function lookup(id: string, path: string): { repo: FixtureRepo; file: FixtureFile } | undefined {
  const repo = repos[id];
  const file = repo?.files[path];
  return repo && file ? { repo, file } : undefined;
}

function sendRange(req: IncomingMessage, res: ServerResponse, data: Buffer, etag: string, key: string): void {
  let start = 0;
  const range = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (range && (!ifRange || ifRange === `"${etag}"`)) start = Number(/bytes=(\d+)-/.exec(range)![1]);
  let body = data.subarray(start);
  if (corrupt.has(key)) {
    body = Buffer.from(body);
    body[body.length - 1] ^= 0xff;
  }
  res.writeHead(start > 0 ? 206 : 200, {
    etag: `"${etag}"`,
    'content-length': body.length,
    'accept-ranges': 'bytes',
    ...(start > 0 ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
  });
  if (breakNext.delete(key)) {
    res.write(body.subarray(0, body.length >> 1), () => res.destroy());
    return;
  }
  res.end(body);
}

function hubHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, hubUrl);
  seen.push({ server: 'hub', url: url.pathname, range: req.headers.range, auth: req.headers.authorization });
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  let m = /^\/api\/models\/(.+)\/(revision|tree)\/([^/]+)$/.exec(url.pathname);
  if (m) {
    const repo = repos[m[1]];
    if (!repo) return json(404, { error: 'Repository not found' });
    if (repo.gated && req.headers.authorization !== `Bearer ${repo.gated}`) return json(401, { error: 'Access restricted' });
    if (m[2] === 'revision') return json(200, { id: m[1], sha: repo.commit, siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })) });
    return json(
      200,
      Object.entries(repo.files).map(([path, f]) => ({
        type: 'file',
        path,
        size: f.data.length,
        oid: sha1Blob(f.data),
        ...(f.lfs ? { lfs: { oid: sha256(f.data), size: f.data.length, pointerSize: 130 } } : {}),
      })),
    );
  }
  m = /^\/(.+)\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url.pathname);
  const found = m ? lookup(m[1], decodeURIComponent(m[3])) : undefined;
  if (!found) return json(404, { error: 'Entry not found' });
  if (found.repo.gated && req.headers.authorization !== `Bearer ${found.repo.gated}`) return json(401, { error: 'Access restricted' });
  if (found.file.lfs) {
    // LFS contents live on the CDN: another origin, with a signed-looking URL.
    res.writeHead(302, { location: `${cdnUrl}/blobs/${sha256(found.file.data)}?sig=x`, 'x-linked-etag': `"${sha256(found.file.data)}"`, 'x-repo-commit': found.repo.commit });
    return void res.end();
  }
  sendRange(req, res, found.file.data, sha1Blob(found.file.data), `${m![1]}/${m![3]}`);
}

function cdnHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url!, cdnUrl);
  seen.push({ server: 'cdn', url: url.pathname, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, auth: req.headers.authorization });
  for (const [id, repo] of Object.entries(repos)) {
    for (const [path, f] of Object.entries(repo.files)) {
      if (url.pathname === `/blobs/${sha256(f.data)}`) return sendRange(req, res, f.data, sha256(f.data), `${id}/${path}`);
    }
  }
  res.writeHead(404);
  res.end();
}

const listen = (s: Server) => new Promise<string>((ok) => s.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
before(async () => {
  hub = createServer(hubHandler);
  cdn = createServer(cdnHandler);
  hubUrl = await listen(hub);
  cdnUrl = await listen(cdn);
});
after(() => {
  hub.close();
  cdn.close();
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
  await assert.rejects(downloadModel('org/gated', { endpoint: hubUrl, cacheDir: cacheDir('gated') }), /gated or private; set HF_TOKEN/);
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
  const closed = createServer();
  const deadUrl = await listen(closed);
  await new Promise((ok) => closed.close(ok));
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
