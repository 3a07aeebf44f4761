/**
 * A run folder's life as users and crashes leave it: one writer at a time (run.lock, stale
 * locks taken over), SIGTERM and SIGHUP saving like Ctrl-C, resumes that refuse settings
 * contradicting the run, leftovers of killed writers removed, failed starts leaving nothing,
 * and the run manifest (version 2, version 1 still opening).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pretrain, type PretrainOptions } from '../../src/core/train/pretrain';
import { rustBookCorpus, rustBookFiles, tempDir } from './engineFixtures';

const CLI = resolve(__dirname, '../../../dist/cli.js');
const scratch = tempDir('runfolder');
after(() => scratch.cleanup());

const corpus = rustBookCorpus(join(scratch.path, 'corpus'));

const base = (outDir: string): PretrainOptions => ({
  corpus: { kind: 'folder', root: corpus },
  outDir,
  preset: 'micro',
  steps: 2,
  batchSize: 4,
  seed: 7,
  backend: 'wasm',
  workers: 1,
  checkpointEvery: 100,
  evalEvery: 100,
  evalSequences: 8,
  config: { maxSeqLength: 32, vocabSize: 500 },
});

/** Starts `electra-studio pretrain` on `out` for a long run; resolves once it has taken a step. */
async function trainingChild(out: string, ...extra: string[]): Promise<{ child: ChildProcess; output: () => { out: string; err: string } }> {
  const child = spawn(process.execPath, [CLI, 'pretrain', corpus, '--preset', 'micro', '--steps', '100000', '--batch-size', '4', '--seq-length', '32', '--vocab-size', '500', '--out', out, '--backend', 'wasm', '--workers', '1', '--eval-every', '100000', '--checkpoint-every', '100000', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out_ = '';
  let err = '';
  child.stdout!.on('data', (d) => (out_ += d));
  await new Promise<void>((resolveIt, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
      if (/step \d+\/100000/.test(err)) resolveIt();
    });
    child.on('exit', (code) => reject(new Error(`pretrain exited ${code} before a step: ${err}`)));
  });
  return { child, output: () => ({ out: out_, err }) };
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (code) => r(code))));

test('one writer: a second pretrain on a run folder in use fails naming the running process; the lock goes with it', async () => {
  const out = join(scratch.path, 'busy');
  const { child } = await trainingChild(out);
  try {
    const lock = JSON.parse(readFileSync(join(out, 'run.lock'), 'utf8'));
    assert.equal(lock.pid, child.pid);
    assert.equal(lock.hostname, hostname());
    await assert.rejects(pretrain({ ...base(out), resume: true }), new RegExp(`run folder ${out} is being written by pid ${child.pid} \\(pretrain, started \\d{4}-\\d\\d-\\d\\dT`));
    await assert.rejects(pretrain({ ...base(out), overwrite: true }), /is being written by pid/);
    // In one process too (two editor runs share the extension host's pid).
    const local = join(scratch.path, 'busy-local');
    const controller = new AbortController();
    let second: Promise<unknown> | undefined;
    const first = pretrain({ ...base(local), steps: 1000 }, {
      onStep: () => {
        second ??= pretrain({ ...base(local), overwrite: true }).then(() => 'finished', (e: Error) => e.message);
        controller.abort();
      },
    }, controller.signal);
    await first;
    assert.match(String(await second), new RegExp(`run folder ${local} is being written by pid ${process.pid}`));
    assert.ok(!existsSync(join(local, 'run.lock')), 'the lock is released when the run ends');
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
});

test('a stale lock (its owner is dead) is taken over; a failing run releases its lock', async () => {
  const out = join(scratch.path, 'stale');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  mkdirSync(out);
  writeFileSync(join(out, 'run.lock'), JSON.stringify({ pid: deadPid, hostname: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'pretrain' }));
  const result = await pretrain(base(out));
  assert.equal(result.step, 2);
  assert.ok(!existsSync(join(out, 'run.lock')));
  // A run that fails after taking the lock releases it: the next one starts.
  await assert.rejects(pretrain({ ...base(out), resume: true, preset: 'tiny' }), /cannot resume/);
  assert.ok(!existsSync(join(out, 'run.lock')));
  assert.equal((await pretrain({ ...base(out), resume: true, steps: 3 })).step, 3);
});

test('SIGTERM and SIGHUP finish the step, save a checkpoint at the step reached and exit 0', async () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    const out = join(scratch.path, `signal-${signal}`);
    const { child, output } = await trainingChild(out);
    child.kill(signal);
    const code = await exited(child);
    const { out: stdout, err } = output();
    assert.equal(code, 0, `${signal}: ${err}`);
    const step = Number(/done: step (\d+) \((cancelled|stopped)\)/.exec(stdout)?.[1]);
    assert.ok(step >= 1, `${signal}: ${stdout}`);
    const latest = JSON.parse(readFileSync(join(out, 'checkpoints', 'latest.json'), 'utf8'));
    assert.equal(latest.step, step, `${signal}: the checkpoint is at the step reached`);
    assert.ok(existsSync(join(out, 'checkpoints', latest.dir, 'model.safetensors')));
    assert.ok(!existsSync(join(out, 'run.lock')));
  }
});

test('--resume refuses settings that contradict the run, listing them; steps and intervals may change and are logged', async () => {
  const out = join(scratch.path, 'contradict');
  await pretrain(base(out));
  const other = join(scratch.path, 'other-corpus');
  mkdirSync(other);
  copyFileSync(rustBookFiles()[20], join(other, 'a.md'));
  await assert.rejects(
    pretrain({ ...base(out), resume: true, preset: 'tiny', seed: 8, config: { maxSeqLength: 64 }, corpus: { kind: 'folder', root: other } }),
    (e: Error) => {
      for (const what of [/preset tiny \(the run's: micro\)/, /sequence length 64 \(the run's: 32\)/, /seed 8 \(the run's: 7\)/, new RegExp(`corpus ${other} \\(the run's: ${corpus}\\)`)]) assert.match(e.message, what);
      return /^cannot resume /.test(e.message);
    },
  );
  // The same command line again is no contradiction, even though the vocabulary came out smaller than asked.
  const logs: string[] = [];
  const checkpoints: number[] = [];
  const r = await pretrain({ ...base(out), resume: true, steps: 4, checkpointEvery: 1, evalEvery: 2 }, { onLog: (_l, m) => logs.push(m), onCheckpoint: (c) => checkpoints.push(c.step) });
  assert.equal(r.step, 4);
  assert.match(logs.join('\n'), /changed on resume: steps in all 4 \(was 2\), checkpoint every 1 \(was 100\), evaluate every 2 \(was 100\)/);
  assert.deepEqual(checkpoints, [3, 4], 'the new checkpoint interval applies');

  // The command line: --resume without --preset keeps the run's; --preset small is refused.
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'pretrain', corpus, '--out', out, '--resume', '--backend', 'wasm', '--workers', '1', ...args], { encoding: 'utf8' });
  const refused = cli('--steps', '5', '--preset', 'small', '--seq-length', '128');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^electra-studio: error: cannot resume .*preset small \(the run's: micro\); sequence length 128 \(the run's: 32\)/m);
  const kept = cli('--steps', '5');
  assert.equal(kept.status, 0, kept.stderr);
  assert.match(kept.stdout, /done: step 5 \(steps\)/);
  assert.doesNotMatch(kept.stderr, /changed on resume: .*checkpoint every/, 'the CLI\'s defaults are not changes');
});

test('the next start removes temporary files and folders that killed writers left', async () => {
  const out = join(scratch.path, 'leftovers');
  await pretrain(base(out));
  const ck = join(out, 'checkpoints');
  mkdirSync(join(ck, '.tmp-step-00000003-999999'));
  writeFileSync(join(ck, '.tmp-step-00000003-999999', 'model.safetensors'), 'half');
  writeFileSync(join(ck, '.latest.json.tmp-999999-0'), '{"step": 3');
  writeFileSync(join(out, '.run.json.tmp-999999-4'), '{');
  writeFileSync(join(out, 'notes.txt'), 'mine');
  await pretrain({ ...base(out), resume: true, steps: 3 });
  assert.deepEqual(readdirSync(ck).sort(), ['latest.json', 'step-00000002', 'step-00000003']);
  assert.deepEqual(readdirSync(out).filter((n) => n.startsWith('.')), []);
  assert.ok(existsSync(join(out, 'notes.txt')), 'files that are not leftovers stay');
});

test('a failed start leaves no run folder behind, and a folder that existed as it was', async () => {
  const empty = join(scratch.path, 'no-text');
  mkdirSync(empty);
  const out = join(scratch.path, 'never', 'run');
  await assert.rejects(pretrain({ ...base(out), corpus: { kind: 'folder', root: empty } }), /no text files found/);
  assert.ok(!existsSync(join(scratch.path, 'never')), 'no empty run folder, nor the parent made for it');
  const binary = join(scratch.path, 'only-binary');
  mkdirSync(binary);
  writeFileSync(join(binary, 'a.txt'), Buffer.from([0, 1, 2, 3]));
  const existing = join(scratch.path, 'existing');
  mkdirSync(join(existing, 'data'), { recursive: true });
  writeFileSync(join(existing, 'keep.txt'), 'x');
  writeFileSync(join(existing, 'data', 'mine.csv'), 'y');
  await assert.rejects(pretrain({ ...base(existing), corpus: { kind: 'folder', root: binary } }), /no text files found/);
  assert.deepEqual(readdirSync(existing).sort(), ['data', 'keep.txt']);
  assert.deepEqual(readdirSync(join(existing, 'data')), ['mine.csv'], 'a data/ folder that was there stays');
  // The command line's failed start likewise.
  const r = spawnSync(process.execPath, [CLI, 'pretrain', empty, '--steps', '1', '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.ok(!existsSync(out), 'the CLI leaves no empty --out folder');
});

test('run.json is a version-2 manifest; a version-1 run folder (raw options) resumes and is upgraded', async () => {
  const out = join(scratch.path, 'manifest');
  await pretrain(base(out));
  const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(manifest.format, 'electra-studio-run');
  assert.equal(manifest.version, 2);
  assert.equal(manifest.preset, 'micro');
  assert.equal(manifest.seed, 7);
  assert.deepEqual(manifest.corpus, { kind: 'folder', root: corpus });
  assert.equal(manifest.model.maxSeqLength, 32);
  assert.equal(manifest.training.batchSize, 4);
  assert.equal(manifest.vocabSizeAsked, 500);
  assert.ok(!('options' in manifest), 'no raw engine options');

  // What main (a11aade) wrote, pointed at this run.
  const v1 = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/run-v1.json'), 'utf8'));
  v1.options = { ...v1.options, corpus: { kind: 'folder', root: corpus }, outDir: out, seed: 7, config: { maxSeqLength: 32, vocabSize: 500 } };
  v1.config = manifest.model;
  v1.settings = manifest.training;
  writeFileSync(join(out, 'run.json'), JSON.stringify(v1));
  const r = await pretrain({ ...base(out), resume: true, steps: 3 });
  assert.equal(r.step, 3);
  const upgraded = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  assert.equal(upgraded.version, 2);
  assert.equal(upgraded.created, v1.startedAt, 'the run keeps its creation time');

  // A damaged manifest or state.json is refused with the file and the field named.
  writeFileSync(join(out, 'run.json'), JSON.stringify({ ...upgraded, version: 3 }));
  await assert.rejects(pretrain({ ...base(out), resume: true, steps: 4 }), /run\.json: run manifest version 3 is newer than this ELECTRA Studio reads \(2\)/);
  writeFileSync(join(out, 'run.json'), JSON.stringify({ ...upgraded, training: { ...upgraded.training, batchSize: 'four' } }));
  await assert.rejects(pretrain({ ...base(out), resume: true, steps: 4 }), /run\.json: batchSize must be a valid number, got "four"/);
  writeFileSync(join(out, 'run.json'), JSON.stringify(upgraded));
  const state = join(out, 'checkpoints', 'step-00000003', 'state.json');
  const s = JSON.parse(readFileSync(state, 'utf8'));
  writeFileSync(state, JSON.stringify({ ...s, training: { ...s.training, gradientAccumulation: -1 } }));
  await assert.rejects(pretrain({ ...base(out), resume: true, steps: 4 }), /state\.json: training: gradientAccumulation must be a valid number, got -1/);
});
