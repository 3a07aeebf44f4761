#!/usr/bin/env node
// npm run base-model: the base model that ships in models/base, from scratch or resuming.
//   1. builds the bundles;
//   2. gathers the training text into .tmp/base-corpus with scripts/base-corpus.sh (Brown and
//      Debian's permissively licensed documentation; sources and licences in docs/base-corpus.md);
//   3. pre-trains `tiny` on it in runs/base (docs/base-model.md): 3,000 steps of ELECTRA
//      with the replacement curriculum, then to step 3,400 with synthetic real-word errors
//      added (--no-synthetic stops after the first stage); every call resumes runs/base;
//   4. ships the latest checkpoint to models/base (weights only, F16) with corpus.json.
// Options: --steps N (stage 1, default 3000), --stage2-steps N (default 3400), --minutes M
// (each stage's process stops after M minutes; run again to resume), --workers N
// (default 1), --no-synthetic, --ship-only.
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
  const pretrain = (stageArgs) => {
    const resume = existsSync(join(run, 'checkpoints', 'latest.json'));
    sh(process.execPath, [
      'dist/cli.js', 'pretrain', corpus, '--preset', 'tiny', '--out', run,
      ...(minutes ? ['--minutes', minutes] : []),
      '--workers', opt('--workers', '1'), '--checkpoint-every', '50', '--eval-every', '100',
      ...(resume ? ['--resume'] : []),
      ...stageArgs,
    ]);
  };
  // Stage 1: ELECTRA with the replacement curriculum and mask rate of docs/recipes.md, no
  // dropout (a short run underfits). A resumed run keeps these settings from its checkpoint.
  pretrain(['--steps', opt('--steps', '3000'), '--mask-rate', '0.25', '--unigram-share', '0.5:0.2', '--unigram-decay', '0.7', '--dropout', '0']);
  // Stage 2 (skipped with --no-synthetic): the same run continues to --stage2-steps with
  // synthetic real-word errors among its replacements (docs/recipes.md), as the shipped model did.
  const reached = JSON.parse(readFileSync(join(run, 'checkpoints', 'latest.json'), 'utf8')).step;
  if (reached < Number(opt('--steps', '3000'))) {
    console.log(`stage 1 stopped at step ${reached}: run this again to resume it`);
    process.exit(0);
  }
  if (!args.includes('--no-synthetic')) pretrain(['--steps', opt('--stage2-steps', '3400'), '--synthetic-errors', '0.3']);
}
sh(process.execPath, ['dist/shipModel.js', run, out, '--corpus', corpus]);
