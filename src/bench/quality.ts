/**
 * The quality section (npm run bench -- --only quality): the error-detection benchmark
 * (src/core/quality) for each model given, beside the rarity and Kneser-Ney trigram
 * baselines trained on the same text as the model, on two held-out prose sets: Brown's
 * held-out files and the Rust book's chapters (../shared/corpora/rust-book). On the same
 * planted text, how often the editor's swap fix restores a planted swap (swapFixes.ts).
 *
 * A model's training text is its run's corpus (run.json beside checkpoints/), or what a
 * `corpus.json` in the model's folder names (the shipped base model).
 */
import {
  benchmarkProse,
  errorBenchmark,
  fixedGenerator,
  fixedTrigramGenerator,
  formatErrorReport,
  formatSwapFixReport,
  Scorer,
  swapFixBenchmark,
  scorerUnderTest,
  readCalibration,
  thresholdInUse,
  trainTrigram,
  trainingSourceOf,
  type CorpusSource,
  type KneserNeyTrigram,
  type ModelUnderTest,
} from '../core';

export interface QualityOptions {
  /** Checkpoints or run folders to evaluate. */
  models: string[];
  /** Sentences of each prose set. */
  sentences: number;
  rustBook: string;
  seed: number;
}

export async function runQuality(o: QualityOptions): Promise<void> {
  if (o.models.length === 0) throw new Error('no model to evaluate: give --quality-models <checkpoint,...> (the shipped base model is models/base)');
  const generator = fixedTrigramGenerator(await fixedGenerator());
  console.log(`fixed generator: ${generator.description}`);
  const baselines = new Map<string, KneserNeyTrigram>();
  // Brown's held-out files (in the domain of a Brown-trained model), and every chapter of the
  // Rust book: a domain none of the shipped text covers (a model trained on the Rust book
  // itself is better judged with eval --errors on its held-out split).
  const sets: Array<[string, CorpusSource, 'heldOut' | 'all']> = [
    ['Brown held-out files', { kind: 'brown' }, 'heldOut'],
    ['the Rust book (all chapters)', { kind: 'folder', root: o.rustBook }, 'all'],
  ];
  for (const modelPath of o.models) {
    const source = trainingSourceOf(modelPath);
    const key = JSON.stringify(source);
    if (!baselines.has(key)) baselines.set(key, await trainTrigram(source));
    const { scorer, model } = await loadUnderTest('model', modelPath);
    try {
      for (const [name, set, split] of sets) {
        const prose = await benchmarkProse(set, o.sentences, split);
        console.log('');
        console.log(`### ${modelPath} (step ${scorer.checkpointStep}, vocabulary ${scorer.config.vocabSize}) on ${name}; baselines trained on ${set.kind === 'brown' && source.kind === 'brown' ? 'Brown training split' : JSON.stringify(source)}`);
        const report = await errorBenchmark({
          paragraphs: prose,
          baseline: baselines.get(key)!,
          generator,
          seed: o.seed,
          models: [model],
        });
        console.log(formatErrorReport(report));
        // The editor's swap fix on the same planted text, at the editor's threshold.
        const swaps = await swapFixBenchmark({ paragraphs: prose, seed: o.seed, threshold: model.threshold, reader: scorer });
        console.log(formatSwapFixReport(swaps));
      }
    } finally {
      scorer.dispose();
    }
  }
}

/** The model at `path` as the benchmark's model, flagged at the editor's threshold for it: its calibration, else the default (no user setting here). */
export async function loadUnderTest(name: string, path: string): Promise<{ scorer: Scorer; model: ModelUnderTest }> {
  const scorer = await Scorer.load(path, { workers: 1 });
  return { scorer, model: scorerUnderTest(name, scorer, thresholdInUse(null, readCalibration(scorer.checkpointDir, scorer.checkpointStep).calibration)) };
}
