/**
 * Copies a run's latest checkpoint into a shipped model folder (weights only, F16; see
 * src/core/run/shippedModel.ts). With --corpus it also writes
 *   corpus.json       the text it was trained on (the error benchmark trains its baselines on it)
 *   calibration.json  the threshold that flags at most 5 words in 1,000 of clean held-out
 *                     prose of that corpus (the model's own calibration; docs/base-model.md)
 *
 *   node dist/shipModel.js <run> <out> [--corpus <folder>]
 */
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { benchmarkProse, ERROR_BENCHMARK_DEFAULTS, findLatestCheckpoint, joinParagraphs, loadCheckpoint, Scorer, thresholdForFalseFlags, wordScores, wordsOf, writeShippedModel } from '../core';

/** Sentences of held-out prose the calibration scores. */
const CALIBRATION_SENTENCES = 2000;

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

  const text = joinParagraphs(await benchmarkProse({ kind: 'folder', root: resolve(corpus) }, CALIBRATION_SENTENCES, 'heldOut'));
  const scorer = await Scorer.load(out, { workers: 1 });
  try {
    const tokens = (await scorer.score(text)).tokens.map((t) => ({ start: t.start, end: t.end, score: t.pReplaced }));
    const scores = wordScores(wordsOf(text), tokens);
    const budget = ERROR_BENCHMARK_DEFAULTS.falseFlagBudget;
    const threshold = thresholdForFalseFlags(scores, budget);
    const calibration = { threshold, falseFlagsPer1000: budget, words: scores.length, fittedOn: 'held-out prose of the training corpus (corpus.json), no planted errors', step: scorer.checkpointStep };
    writeFileSync(join(out, 'calibration.json'), JSON.stringify(calibration, null, 2) + '\n');
    process.stdout.write(`calibration: threshold ${threshold.toFixed(4)} flags at most ${budget} of 1,000 words of ${scores.length} held-out words\n`);
  } finally {
    scorer.dispose();
  }
}

main().catch((e: Error) => {
  process.stderr.write(`shipModel: ${e.message}\n`);
  process.exit(1);
});
