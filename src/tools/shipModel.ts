/**
 * Copies a run's latest checkpoint into a shipped model folder (weights only, F16; see
 * src/core/run/shippedModel.ts). With --corpus it also writes
 *   corpus.json       the text it was trained on (the error benchmark trains its baselines on it)
 *   calibration.json  the model's calibration (src/core/quality/calibration.ts): the threshold
 *                     that keeps false flags within the budget on clean held-out prose of
 *                     that corpus, which the editor and the CLI flag at unless told otherwise
 *
 *   node dist/shipModel.js <run> <out> [--corpus <folder>]
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { calibrateCheckpoint, findLatestCheckpoint, loadCheckpoint, writeShippedCalibration, writeShippedModel } from '../core';
import { summarizeCalibration } from '../shared/calibrationFormat';

async function main(): Promise<void> {
  const [run, out, flag, corpus] = process.argv.slice(2);
  if (!run || !out) throw new Error('usage: node dist/shipModel.js <run> <out> [--corpus <folder>]');
  const dir = findLatestCheckpoint(run);
  if (!dir) throw new Error(`${run}: no checkpoint found`);
  const written = writeShippedModel(loadCheckpoint(dir), out, 'F16');
  process.stdout.write(`shipped ${dir} as ${written}\n`);
  if (flag !== '--corpus' || !corpus) return;
  const source = { kind: 'folder' as const, root: relative(resolve(out), resolve(corpus)) };
  writeFileSync(join(out, 'corpus.json'), JSON.stringify({ source, built: 'npm run base-model (scripts/base-model.mjs)' }, null, 2) + '\n');

  const outcome = await calibrateCheckpoint(out, { kind: 'folder', root: resolve(corpus) });
  if ('skipped' in outcome) throw new Error(`no calibration: ${outcome.skipped}`);
  const c = outcome.calibration;
  const path = writeShippedCalibration(out, c);
  process.stdout.write(`${path}: ${summarizeCalibration(c)}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`shipModel: ${e.message}\n`);
  process.exit(1);
});
