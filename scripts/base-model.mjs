#!/usr/bin/env node
// npm run base-model: the base model that ships in models/base, from scratch or resuming.
//   1. builds the bundles;
//   2. gathers the training text into .tmp/base-corpus with scripts/base-corpus.sh (Brown and
//      Debian's permissively licensed documentation; sources and licences in docs/base-corpus.md);
//   3. pre-trains `tiny` on it in runs/base (docs/base-model.md): 3,000 steps of ELECTRA
//      with the replacement curriculum, from BERT's initialisation alone as the shipped model
//      was (every call resumes runs/base);
//   4. the error stage: continues from that model in runs/base-errors with neighbour heads
//      (src/core/model/neighbourHeads.ts) on synthetic real-word errors only
//      (--synthetic-errors 1, learning rate 1e-4), to ERROR_STAGE_FLOPS of the schedule of
//      ERROR_STAGE_STEPS steps (--no-synthetic skips it);
//   5. ships the latest checkpoint to models/base (weights only, F16), with corpus.json and
//      the calibrated threshold.
// The shipped weights took the error stage from the previous shipped model (commit 27cb13d's
// models/base: stage 1 plus 400 steps of an earlier form of --synthetic-errors);
// `--error-stage-from <model folder>` starts the error stage from such a model instead and
// reproduces them. Options: --steps N (stage 1, default 3000), --minutes M (each process
// stops after M minutes; run again to resume), --workers N (default 1), --no-synthetic,
// --error-stage-from DIR, --ship-only.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const corpus = join(root, '.tmp', 'base-corpus');
const run = join(root, 'runs', 'base');
const errorRun = join(root, 'runs', 'base-errors');
// The error stage's schedule (linear decay over ERROR_STAGE_STEPS) and where it stops.
const ERROR_STAGE_STEPS = '20000';
const ERROR_STAGE_FLOPS = '100273225728000'; // step 8,000: 12,534,153,216 FLOPs a step
const out = join(root, 'models', 'base');

function sh(cmd, cmdArgs) {
  console.log(`$ ${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

sh(process.execPath, ['scripts/build.mjs']);
if (!args.includes('--ship-only')) {
  if (!existsSync(join(corpus, 'SOURCES.md'))) sh('bash', ['scripts/base-corpus.sh', corpus]);
  const minutes = opt('--minutes');
  const pretrain = (out, stageArgs) => {
    const resume = existsSync(join(out, 'checkpoints', 'latest.json'));
    sh(process.execPath, [
      'dist/cli.js', 'pretrain', corpus, '--preset', 'tiny', '--out', out,
      ...(minutes ? ['--minutes', minutes] : []),
      '--workers', opt('--workers', '1'),
      ...(resume ? ['--resume'] : []),
      ...stageArgs,
    ]);
  };
  const from = opt('--error-stage-from');
  if (!from) {
    // Stage 1: ELECTRA with the replacement curriculum and mask rate of docs/recipes.md, no
    // dropout (a short run underfits), and none of the default error stage: the stage below is
    // this model's. A resumed run keeps these settings from its checkpoint.
    pretrain(run, ['--steps', opt('--steps', '3000'), '--checkpoint-every', '50', '--eval-every', '100', '--mask-rate', '0.25', '--unigram-share', '0.5:0.2', '--unigram-decay', '0.7', '--dropout', '0', '--synthetic-errors', '0', '--no-neighbour-heads']);
    const reached = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8')).step;
    if (reached < Number(opt('--steps', '3000'))) {
      console.log(`stage 1 stopped at step ${reached}: run this again to resume it`);
      process.exit(0);
    }
  }
  if (!args.includes('--no-synthetic')) {
    // The error stage (docs/base-model.md): synthetic real-word errors in every sequence, read
    // through neighbour heads given to the stage-1 model when the stage starts (docs/recipes.md).
    const fresh = !existsSync(join(errorRun, 'checkpoints', 'latest.json'));
    pretrain(errorRun, [
      ...(fresh ? ['--from', from ?? run, '--neighbour-heads'] : []),
      '--steps', ERROR_STAGE_STEPS, '--flops', ERROR_STAGE_FLOPS, '--lr', '1e-4', '--warmup', '300',
      '--synthetic-errors', '1', '--dropout', '0', '--checkpoint-every', '500', '--eval-every', '5000',
    ]);
  }
}
sh(process.execPath, ['dist/shipModel.js', args.includes('--no-synthetic') ? run : errorRun, out, '--corpus', corpus]);
