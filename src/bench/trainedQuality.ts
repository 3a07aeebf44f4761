/**
 * The quality section's trained rows: what a few minutes of training on this machine give,
 * measured as a user meets them (issue 10's targets 2 and 3).
 *
 * - From scratch: `tiny` with the defaults (their error stage included) on Brown for
 *   `minutes` on every core. Planted errors in Brown's held-out files beside the trigram
 *   trained on Brown's training split, and ELECTRA's held-out replaced-token AUC against the
 *   run's generator at its end (a fixed generator exactly as strong as its own).
 * - From scratch on a small technical corpus: the same on the Rust book, where the trigram
 *   is strongest; planted errors in its held-out chapters over several plantings.
 * - Continued: the base model, `minutes` more on the Rust book with the defaults of a
 *   continued run. Planted errors in the book's held-out chapters before and after, as the
 *   mean over several plantings (one planting's spread is larger than the change).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  benchmarkProse,
  errorBenchmark,
  evaluateCheckpoint,
  fixedGenerator,
  fixedTrigramGenerator,
  formatErrorReport,
  formatMeanOverPlantings,
  pretrain,
  trainTrigram,
  type CorpusSource,
  type ErrorBenchmarkReport,
  type KneserNeyTrigram,
  type Paragraphs,
  type PretrainOptions,
  type WordGenerator,
} from '../core';
import { EVAL_COMMAND_DEFAULTS } from '../shared/defaults';
import { loadUnderTest } from './quality';

export interface TrainedQualityOptions {
  minutes: number;
  baseModel: string;
  rustBook: string;
  /** Sentences of Brown's held-out prose for the run from scratch. */
  sentences: number;
  /** Planting seeds of the continued run's comparison; the first also plants Brown. */
  plantings: number[];
}

export async function runTrainedQuality(o: TrainedQualityOptions): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'electra-bench-quality-'));
  try {
    // Brown's training split: the Brown run's baseline (the same text), and every part's fixed word sampler.
    const brownTrigram = await fixedGenerator();
    await fromScratch(o, brownTrigram, join(scratch, 'scratch'));
    const book = await rustBook(o, brownTrigram);
    await fromScratchOnBook(o, book, join(scratch, 'scratch-book'));
    await continued(o, book, join(scratch, 'continued'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** On how many plantings system `a` has the higher AUC over all kinds than system `b`. */
function plantingsWhereBetter(reports: ErrorBenchmarkReport[], a: number, b: number): number {
  const all = (r: ErrorBenchmarkReport, i: number) => r.systems[i].calibrated.perKind.all.auc;
  return reports.filter((r) => all(r, a) > all(r, b)).length;
}

async function train(options: PretrainOptions): Promise<string> {
  const started = Date.now();
  // Warnings, and the vocabulary a run from scratch sized by its corpus: part of the configuration.
  const r = await pretrain(options, { onLog: (level, m) => (level !== 'info' || m.startsWith('vocabulary:')) && console.log(`  ${level}: ${m}`) });
  console.log(`trained: ${r.step} steps (${r.stoppedBecause}) in ${((Date.now() - started) / 1000).toFixed(0)} s on ${r.backend}`);
  return options.outDir;
}

async function fromScratch(o: TrainedQualityOptions, trigram: KneserNeyTrigram, outDir: string): Promise<void> {
  console.log('');
  console.log(`### tiny from scratch, ${o.minutes} min on Brown with the defaults, workers auto`);
  const brown: CorpusSource = { kind: 'brown' };
  const run = await train({ corpus: brown, outDir, preset: 'tiny', minutes: o.minutes, workers: 'auto' });
  const own = await evaluateCheckpoint({ checkpoint: run, corpus: brown, split: 'held-out', sequences: EVAL_COMMAND_DEFAULTS.sequences, seed: EVAL_COMMAND_DEFAULTS.seed, fixedGenerator: run });
  console.log(`held-out replaced-token AUC against the run's generator at its end (${own.metrics.sequences} sequences; its accuracy ${(100 * own.fixedGenerator!.accuracy).toFixed(1)}%): ${own.metrics.auc.toFixed(3)} (target: 0.80)`);
  const model = await loadUnderTest('from scratch', run);
  try {
    const report = await errorBenchmark({
      paragraphs: await benchmarkProse(brown, o.sentences, 'heldOut'),
      baseline: trigram,
      generator: fixedTrigramGenerator(trigram),
      seed: o.plantings[0],
      models: [model.model],
    });
    console.log(formatErrorReport(report));
  } finally {
    model.scorer.dispose();
  }
}

/** How the parts that train on the Rust book are judged: its held-out prose, the trigram of its training chapters. */
interface BookYardstick {
  corpus: CorpusSource;
  paragraphs: Paragraphs;
  baseline: KneserNeyTrigram;
  generator: WordGenerator;
}

async function rustBook(o: TrainedQualityOptions, brownTrigram: KneserNeyTrigram): Promise<BookYardstick> {
  const corpus: CorpusSource = { kind: 'folder', root: o.rustBook };
  return { corpus, paragraphs: await benchmarkProse(corpus, o.sentences, 'heldOut'), baseline: await trainTrigram(corpus), generator: fixedTrigramGenerator(brownTrigram) };
}

async function fromScratchOnBook(o: TrainedQualityOptions, book: BookYardstick, outDir: string): Promise<void> {
  console.log('');
  console.log(`### tiny from scratch, ${o.minutes} min on the Rust book with the defaults, workers auto`);
  const run = await train({ corpus: book.corpus, outDir, preset: 'tiny', minutes: o.minutes, workers: 'auto' });
  const model = await loadUnderTest('from scratch', run);
  try {
    const reports: ErrorBenchmarkReport[] = [];
    for (const seed of o.plantings) reports.push(await errorBenchmark({ ...book, seed, models: [model.model] }));
    console.log("the book's held-out chapters; baselines trained on its training chapters");
    console.log(formatMeanOverPlantings(reports));
    const above = plantingsWhereBetter(reports, 0, 1);
    console.log(`above the trigram on ${above} of ${reports.length} plantings (target: above)`);
  } finally {
    model.scorer.dispose();
  }
}

async function continued(o: TrainedQualityOptions, book: BookYardstick, outDir: string): Promise<void> {
  console.log('');
  console.log(`### the base model, ${o.minutes} min more on the Rust book with the defaults of a continued run, workers auto`);
  const run = await train({ corpus: book.corpus, outDir, preset: 'tiny', startFrom: o.baseModel, minutes: o.minutes, workers: 'auto' });
  const { paragraphs, baseline, generator } = book;
  const before = await loadUnderTest('before', o.baseModel);
  const after = await loadUnderTest('after', run);
  try {
    const reports: ErrorBenchmarkReport[] = [];
    for (const seed of o.plantings) {
      reports.push(await errorBenchmark({ paragraphs, baseline, generator, seed, models: [before.model, after.model] }));
    }
    console.log("the book's held-out chapters; baselines trained on its training chapters");
    console.log(formatErrorReport(reports[0]));
    console.log(formatMeanOverPlantings(reports));
    const better = plantingsWhereBetter(reports, 1, 0);
    console.log(`after better than before on ${better} of ${reports.length} plantings (target: better)`);
  } finally {
    before.scorer.dispose();
    after.scorer.dispose();
  }
}
