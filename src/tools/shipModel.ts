/**
 * Copies a run's latest checkpoint into a shipped model folder (weights only, F16; see
 * src/core/run/shippedModel.ts) with a corpus.json naming the text it was trained on,
 * which the error benchmark's baselines are trained on too.
 *
 *   node dist/shipModel.js <run> <out> [--corpus <folder>]
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { findLatestCheckpoint, loadCheckpoint, writeShippedModel } from '../core';

function main(): void {
  const [run, out, flag, corpus] = process.argv.slice(2);
  if (!run || !out) throw new Error('usage: node dist/shipModel.js <run> <out> [--corpus <folder>]');
  const dir = findLatestCheckpoint(run);
  if (!dir) throw new Error(`${run}: no checkpoint found`);
  const written = writeShippedModel(loadCheckpoint(dir), out, 'F16');
  if (flag === '--corpus' && corpus) {
    const source = { kind: 'folder', root: relative(resolve(out), resolve(corpus)) };
    writeFileSync(join(out, 'corpus.json'), JSON.stringify({ source, built: 'npm run base-model (scripts/base-model.mjs)' }, null, 2) + '\n');
  }
  process.stdout.write(`shipped ${dir} as ${written}\n`);
}

try {
  main();
} catch (e) {
  process.stderr.write(`shipModel: ${(e as Error).message}\n`);
  process.exit(1);
}
