#!/usr/bin/env node
// npm run base-model: the base model that ships in models/base, from scratch or resuming.
//   1. builds the bundles;
//   2. gathers the training text into .tmp/base-corpus with scripts/base-corpus.sh (Brown and
//      Debian's permissively licensed documentation; sources and licences in docs/base-corpus.md);
//   3. pre-trains `tiny` on it in runs/base with the short-run recipe (docs/recipes.md),
//      resuming from runs/base's latest checkpoint when there is one;
//   4. ships the latest checkpoint to models/base (weights only, F16) with corpus.json.
// Options: --steps N (default 3000), --minutes M (stop this process after M minutes; run
// it again to resume), --workers N (default 1), --ship-only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
  const resume = existsSync(join(run, 'checkpoints', 'latest.json'));
  const minutes = opt('--minutes');
  sh(process.execPath, [
    'dist/cli.js', 'pretrain', corpus, '--preset', 'tiny', '--out', run,
    '--steps', opt('--steps', '3000'), ...(minutes ? ['--minutes', minutes] : []),
    '--workers', opt('--workers', '1'), '--checkpoint-every', '50', '--eval-every', '100',
    // The replacement curriculum and mask rate of docs/recipes.md, no dropout (a short run underfits).
    '--mask-rate', '0.25', '--unigram-share', '0.5:0.2', '--unigram-decay', '0.7', '--dropout', '0',
    ...(resume ? ['--resume'] : []),
  ]);
}
sh(process.execPath, ['dist/shipModel.js', run, out, '--corpus', corpus]);
