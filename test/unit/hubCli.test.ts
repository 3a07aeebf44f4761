/**
 * `electra-studio download` against a local Hub on 127.0.0.1 (test/harness/fakeHub.ts) that
 * serves the PyTorch-written fixture pair (test/fixtures/hf/pair) as
 * google/electra-fixture-{discriminator,generator}, found through HF_ENDPOINT, cached under
 * HF_HOME. The CLI runs as a child process, as a user runs it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { findLatestCheckpoint } from '../../src/core/run/checkpoint';
import { deadEndpoint, repoFromFolder, startFakeHub, type FakeHub } from '../harness/fakeHub';
import { tempDir } from './engineFixtures';

const PAIR = resolve(__dirname, '../../../test/fixtures/hf/pair');
const CLI = resolve(__dirname, '../../../dist/cli.js');
const DISC = 'google/electra-fixture-discriminator';
const scratch = tempDir('hub-cli');
let hub: FakeHub;
before(async () => {
  hub = await startFakeHub({
    [DISC]: repoFromFolder(join(PAIR, 'discriminator'), '1'.repeat(40)),
    'google/electra-fixture-generator': repoFromFolder(join(PAIR, 'generator'), '2'.repeat(40)),
    'org/lonely-discriminator': repoFromFolder(join(PAIR, 'discriminator'), '3'.repeat(40)),
    'org/gated-discriminator': { ...repoFromFolder(join(PAIR, 'discriminator'), '4'.repeat(40)), gated: 'hf_secret' },
    'org/open-discriminator': repoFromFolder(join(PAIR, 'discriminator'), '5'.repeat(40)),
    'org/open-generator': { ...repoFromFolder(join(PAIR, 'generator'), '6'.repeat(40)), gated: 'hf_secret' },
  });
});
after(async () => {
  await hub.close();
  scratch.cleanup();
});

/** The CLI, asynchronously: the Hub answers from this process's event loop. */
function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((ok) => {
    const { HF_ENDPOINT: _e, HF_TOKEN: _t, HF_HUB_OFFLINE: _o, HF_HUB_CACHE: _c, ...clean } = process.env;
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => ok({ code, out, err }));
  });
}

const home = join(scratch.path, 'hf-home');
const online = () => ({ HF_ENDPOINT: hub.url, HF_HOME: home });
const modelBytes = (run: string) => readFileSync(join(findLatestCheckpoint(run)!, 'model.safetensors'));

test('download fetches the discriminator and its generator, shows progress and imports them as `import` does', async () => {
  const run = join(scratch.path, 'downloaded');
  const r = await cli(online(), 'download', DISC, '--out', run);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /imported \S*models--google--electra-fixture-discriminator\/snapshots\/1{40}\/model\.safetensors and \S*models--google--electra-fixture-generator\/snapshots\/2{40}\/model\.safetensors into /);
  assert.match(r.out, /generator \(imported\)/);
  assert.match(r.err, /google\/electra-fixture-discriminator: [\d.]+ KiB \/ [\d.]+ KiB/, 'progress in bytes');
  assert.match(r.err, /google\/electra-fixture-generator at 2{40}: [\d.]+ KiB downloaded/);
  assert.ok(existsSync(join(home, 'hub', 'models--google--electra-fixture-generator', 'snapshots', '2'.repeat(40), 'model.safetensors')), "huggingface_hub's cache layout under HF_HOME");
  // The same weights as importing the folders straight from disk.
  const direct = join(scratch.path, 'direct');
  const d = await cli({}, 'import', join(PAIR, 'discriminator'), join(PAIR, 'generator'), '--out', direct);
  assert.equal(d.code, 0, d.err);
  assert.deepEqual(modelBytes(run), modelBytes(direct));
});

test('an --out that holds something is refused before anything is fetched', async () => {
  hub.seen.length = 0;
  const r = await cli(online(), 'download', 'org/lonely-discriminator', '--out', join(scratch.path, 'downloaded'));
  assert.equal(r.code, 1);
  assert.match(r.err, /downloaded already exists and is not empty; choose another folder or overwrite it/);
  assert.deepEqual(hub.seen, []);
});

test('a second download comes from the cache: nothing is fetched', async () => {
  hub.seen.length = 0;
  const run = join(scratch.path, 'again');
  const r = await cli(online(), 'download', DISC, '--out', run);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /electra-fixture-discriminator at 1{40}: from the cache/);
  assert.ok(hub.seen.length > 0, 'the revision is still asked for');
  assert.ok(!hub.seen.some((s) => s.url.includes('/resolve/') || s.server === 'cdn'), `no file fetched: ${JSON.stringify(hub.seen)}`);
});

test('--no-generator, a missing guessed generator, a missing model, a gated model', async () => {
  const none = await cli(online(), 'download', DISC, '--no-generator', '--out', join(scratch.path, 'no-gen'));
  assert.equal(none.code, 0, none.err);
  assert.match(none.out, /generator \(initialised\)/);
  const lonely = await cli(online(), 'download', 'org/lonely-discriminator', '--out', join(scratch.path, 'lonely'));
  assert.equal(lonely.code, 0, lonely.err);
  assert.match(lonely.err, /warning: org\/lonely-generator is not on the Hub: a generator is initialised at random/);
  const guarded = await cli(online(), 'download', 'org/open-discriminator', '--out', join(scratch.path, 'guarded'));
  assert.equal(guarded.code, 0, guarded.err);
  assert.match(guarded.err, /warning: org\/open-generator \(main\): the Hub answered 401: .*: a generator is initialised at random/);
  const named = await cli(online(), 'download', DISC, '--generator', 'org/lonely-generator', '--out', join(scratch.path, 'named'));
  assert.equal(named.code, 1);
  assert.match(named.err, /electra-studio: error: org\/lonely-generator \(main\): not found on http:\/\/127\.0\.0\.1:\d+ \(check the model id and revision\)/);
  assert.ok(!existsSync(join(scratch.path, 'named')), 'nothing written');
  const missing = await cli(online(), 'download', 'org/typo-discriminator', '--out', join(scratch.path, 'typo'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /org\/typo-discriminator \(main\): not found/);
  const gated = await cli(online(), 'download', 'org/gated-discriminator', '--no-generator', '--out', join(scratch.path, 'gated'));
  assert.equal(gated.code, 1);
  assert.match(gated.err, /the Hub answered 401: the repository is gated or private .*set HF_TOKEN/);
  const token = await cli({ ...online(), HF_TOKEN: 'hf_secret' }, 'download', 'org/gated-discriminator', '--no-generator', '--out', join(scratch.path, 'gated'));
  assert.equal(token.code, 0, token.err);
});

test('offline: a clear error and nothing written; HF_HUB_OFFLINE=1 uses the cache', async () => {
  const run = join(scratch.path, 'offline');
  const r = await cli({ HF_ENDPOINT: await deadEndpoint(), HF_HOME: join(scratch.path, 'empty-home') }, 'download', DISC, '--out', run);
  assert.equal(r.code, 1);
  assert.match(r.err, /electra-studio: error: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): offline\?/);
  assert.ok(!existsSync(run), 'nothing written');
  const cached = await cli({ HF_HOME: home, HF_HUB_OFFLINE: '1' }, 'download', DISC, '--out', run);
  assert.equal(cached.code, 0, cached.err);
  assert.match(cached.out, /generator \(imported\)/);
});
