// The extension's training session against the real worker bundle (dist/trainingWorker.js)
// and the real engine: scan, train a 'micro' model on the Rust-book fixture, stop
// gracefully (a checkpoint is saved), resume from it, and read the run folder back.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { StepMetrics } from '../../src/core/train/metrics';
import { listBrownFiles } from '../../src/core/data/brown';
import type { PretrainOptions } from '../../src/core/train/pretrain';
import { listRuns, readLatestCheckpoint } from '../../src/extension/runs';
import { TrainingSession } from '../../src/extension/trainingSession';

const repo = resolve(__dirname, '../../..');
const workerPath = join(repo, 'dist', 'trainingWorker.js');
let work: string;

before(() => {
  assert.ok(existsSync(workerPath), `${workerPath} missing: run node scripts/build.mjs first`);
  work = mkdtempSync(join(tmpdir(), 'electra-session-'));
  cpSync(join(repo, 'test', 'fixtures', 'rust-book'), join(work, 'corpus'), { recursive: true });
});
after(() => rmSync(work, { recursive: true, force: true }));

function options(runDir: string, extra: Partial<PretrainOptions> = {}): PretrainOptions {
  return {
    corpus: { kind: 'folder', root: join(work, 'corpus') },
    outDir: runDir,
    preset: 'micro',
    backend: 'wasm',
    seed: 1,
    checkpointEvery: 10,
    evalEvery: 10,
    ...extra,
  };
}

test('scan summarises the corpus in the worker', async () => {
  const session = new TrainingSession(workerPath, 'scan', join(work, 'runs', 'scan'));
  try {
    const summary = await session.scan({ kind: 'folder', root: join(work, 'corpus') });
    assert.ok(summary.files >= 8, `files: ${summary.files}`);
    assert.ok(summary.totalBytes > 10_000);
    assert.ok(summary.sample.some((p) => p.endsWith('.md')));
    // The engine describes the Brown corpus too: its real file count and size, not a constant.
    const brown = await session.scan({ kind: 'brown' });
    assert.equal(brown.files, listBrownFiles().length);
    assert.equal(brown.totalBytes, listBrownFiles().reduce((n, f) => n + statSync(f).size, 0));
    assert.deepEqual(brown.sample.slice(0, 2), ['ca01', 'ca02']);
  } finally {
    session.dispose();
  }
});

test('trains a micro model for 20 steps, reporting steps, evals, checkpoints and the backend', async () => {
  const runDir = join(work, 'runs', 'a');
  const steps: StepMetrics[] = [];
  const checkpoints: number[] = [];
  let backend = '';
  let backendReports = 0;
  const logs: string[] = [];
  let evals = 0;
  const session = new TrainingSession(workerPath, 'a', runDir, {
    onStep: (m) => steps.push(m),
    onEval: () => evals++,
    onCheckpoint: (step) => checkpoints.push(step),
    onBackend: (name) => {
      backend = name;
      backendReports++;
    },
    onLog: (_level, message) => logs.push(message),
  });
  const result = await session.train(options(runDir, { steps: 20 }));
  assert.equal(result.step, 20);
  assert.equal(result.stoppedBecause, 'steps');
  assert.equal(backend, 'wasm');
  // The backend is reported once, as its own message, never again in the log (the output channel showed it twice).
  assert.equal(backendReports, 1);
  assert.deepEqual(logs.filter((m) => /^backend: /.test(m)), []);
  assert.deepEqual(steps.map((s) => s.step), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(steps.every((s) => Number.isFinite(s.genLoss) && Number.isFinite(s.discLoss)));
  assert.ok(evals >= 2);
  assert.deepEqual(checkpoints, [10, 20]);
  assert.equal(session.state, 'done');
  const latest = await readLatestCheckpoint(runDir);
  assert.equal(latest?.step, 20);
  assert.ok(latest && existsSync(latest.dir));
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.filter((l) => JSON.parse(l).type === 'step').length, 20);
  const [run] = await listRuns(join(work, 'runs'));
  assert.equal(run.name, 'a');
  assert.equal(run.problem, undefined);
  assert.equal(run.manifest?.preset, 'micro');
  assert.equal(run.manifest?.version, 2);
});

test('stop saves a checkpoint and resume continues from it', async () => {
  const runDir = join(work, 'runs', 'b');
  let stopAt = 0;
  const session = new TrainingSession(workerPath, 'b', runDir, {
    onStep: (m) => {
      if (m.step === 3) {
        stopAt = m.step;
        session.stop();
      }
    },
  });
  const result = await session.train(options(runDir, { steps: 100_000, checkpointEvery: 1000 }));
  assert.equal(result.stoppedBecause, 'stopped');
  assert.ok(result.step >= stopAt && result.step < 10, `stopped at ${result.step}`);
  const latest = await readLatestCheckpoint(runDir);
  assert.equal(latest?.step, result.step);

  const resumedSteps: number[] = [];
  const again = new TrainingSession(workerPath, 'b', runDir, { onStep: (m) => resumedSteps.push(m.step) });
  const resumed = await again.train(options(runDir, { steps: result.step + 5, resume: true }));
  assert.equal(resumed.step, result.step + 5);
  assert.equal(resumedSteps[0], result.step + 1);
});

test('a worker terminated mid-run leaves the run folder unlocked: the run resumes', async () => {
  const runDir = join(work, 'runs', 'd');
  const session = new TrainingSession(workerPath, 'd', runDir, { onStep: (m) => m.step === 3 && session.dispose() });
  await assert.rejects(session.train(options(runDir, { steps: 100_000, checkpointEvery: 2 })), /training cancelled/);
  for (let i = 0; i < 100 && existsSync(join(runDir, 'run.lock')); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!existsSync(join(runDir, 'run.lock')), 'the terminated thread\'s lock is removed');
  const again = new TrainingSession(workerPath, 'd', runDir);
  const resumed = await again.train(options(runDir, { steps: 4, checkpointEvery: 2, resume: true }));
  assert.equal(resumed.step, 4);
});

test('a worker failure rejects train() with the engine error', async () => {
  const runDir = join(work, 'runs', 'c');
  const session = new TrainingSession(workerPath, 'c', runDir);
  await assert.rejects(session.train(options(runDir, { steps: 5, resume: true })), /no checkpoint/);
  assert.equal(session.state, 'failed');
});
