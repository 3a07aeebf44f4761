// The extension's training session against the real worker bundle (dist/trainingWorker.js)
// and the real engine: scan, train a 'micro' model on the Rust-book fixture, stop
// gracefully (a checkpoint is saved), resume from it, and read the run folder back.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { StepMetrics } from '../../src/core/train/metrics';
import type { PretrainOptions } from '../../src/core/train/training';
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
  } finally {
    session.dispose();
  }
});

test('trains a micro model for 20 steps, reporting steps, evals, checkpoints and the backend', async () => {
  const runDir = join(work, 'runs', 'a');
  const steps: StepMetrics[] = [];
  const checkpoints: number[] = [];
  let backend = '';
  let evals = 0;
  const session = new TrainingSession(workerPath, 'a', runDir, {
    onStep: (m) => steps.push(m),
    onEval: () => evals++,
    onCheckpoint: (step) => checkpoints.push(step),
    onBackend: (name) => (backend = name),
  });
  const result = await session.train(options(runDir, { steps: 20 }));
  assert.equal(result.step, 20);
  assert.equal(result.stoppedBecause, 'steps');
  assert.equal(backend, 'wasm');
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
  assert.equal(run.options?.preset, 'micro');
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

test('a worker failure rejects train() with the engine error', async () => {
  const runDir = join(work, 'runs', 'c');
  const session = new TrainingSession(workerPath, 'c', runDir);
  await assert.rejects(session.train(options(runDir, { steps: 5, resume: true })), /no checkpoint/);
  assert.equal(session.state, 'failed');
});
