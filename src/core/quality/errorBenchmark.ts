/**
 * The error-detection benchmark: planted real-word errors (plantErrors.ts) and replaced
 * words from a fixed generator (replacedWords.ts), scored by each model and by the two
 * baselines trained on the model's training text (ngram.ts). For each system it reports
 * detection metrics (metrics.ts) at the default threshold, where the system has one, and at
 * the threshold that allows at most `falseFlagBudget` flags per 1,000 clean words of this
 * text (fitted on the text's clean sentences: an in-sample calibration, said as such).
 */
import { cleanScores, detectionMetrics, thresholdForFalseFlags, type DetectionMetrics } from './metrics';
import { type KneserNeyTrigram, sentenceWords } from './ngram';
import { plantErrors, type PlantedText } from './plantErrors';
import type { Paragraphs } from './prose';
import { replaceWords, type ReplacedText } from './replacedWords';
import type { WordGenerator } from './wordGenerator';
import { rocAuc } from '../train/metrics';
import { pieceScores, wordScores, type ScoredSpan } from './words';
import { describeThreshold, type ThresholdInUse } from '../../shared/calibrationFormat';
import type { Scorer } from '../score/scoring';

/** A model as the benchmark sees it: scored spans (tokens) of a text. */
export interface ModelUnderTest {
  name: string;
  score(text: string): Promise<ScoredSpan[]>;
  /** The threshold the editor uses for this model. */
  threshold: number;
  /** Where that threshold comes from, in words ("0.62, calibrated for 5 false flags per 1,000 words"). */
  thresholdFrom?: string;
}

/** A loaded model as the benchmark's model, flagging at `threshold` (thresholdInUse's choice; `settingName` says what sets it). */
export function scorerUnderTest(name: string, scorer: Scorer, threshold: ThresholdInUse, settingName?: string): ModelUnderTest {
  return { name, threshold: threshold.value, thresholdFrom: describeThreshold(threshold, settingName), score: async (text) => pieceScores((await scorer.score(text)).tokens) };
}

export interface SystemResult {
  name: string;
  kind: 'model' | 'baseline';
  /** At the model's default threshold (models only). */
  atDefault?: DetectionMetrics;
  /** Where that threshold comes from, when the model says. */
  thresholdFrom?: string;
  /** At the threshold allowing `falseFlagBudget` flags per 1,000 clean words. */
  calibrated: DetectionMetrics;
  /** Word-level AUC of the fixed generator's replacements against the other words. */
  replacedAuc: number;
}

export interface ErrorBenchmarkReport {
  seed: number;
  sentences: number;
  words: number;
  errors: Record<string, number>;
  falseFlagBudget: number;
  replaced: { words: number; replaced: number; generatorTop1: number; generator: string };
  systems: SystemResult[];
}

export interface ErrorBenchmarkOptions {
  paragraphs: Paragraphs;
  /** The baselines, trained on the models' training text. */
  baseline: KneserNeyTrigram;
  /** The fixed generator of the replaced-word task. */
  generator: WordGenerator;
  models: ModelUnderTest[];
  seed?: number;
  falseFlagBudget?: number;
}

export async function errorBenchmark(o: ErrorBenchmarkOptions): Promise<ErrorBenchmarkReport> {
  const seed = o.seed ?? 1;
  const budget = o.falseFlagBudget ?? 5;
  const planted = plantErrors(o.paragraphs, { seed });
  const replaced = await replaceWords(o.paragraphs, o.generator, { seed: seed + 1 });
  const systems: SystemResult[] = [];
  for (const model of o.models) {
    const p = wordScores(planted.words, await model.score(planted.text));
    const r = wordScores(replaced.words, await model.score(replaced.text));
    systems.push({ ...result(model.name, 'model', planted, p, replaced, r, budget, model.threshold), thresholdFrom: model.thresholdFrom });
  }
  const trigram = (t: { text: string }) => lineScores(t.text, (words) => o.baseline.wordScores(words));
  const rarity = (t: { text: string }) => lineScores(t.text, (words) => Float64Array.from(words, (w) => o.baseline.rarity(w)));
  systems.push(result('trigram (Kneser-Ney)', 'baseline', planted, trigram(planted), replaced, trigram(replaced), budget));
  systems.push(result('rarity (-log frequency)', 'baseline', planted, rarity(planted), replaced, rarity(replaced), budget));
  const errors: Record<string, number> = {};
  for (const e of planted.errors) errors[e.kind] = (errors[e.kind] ?? 0) + 1;
  return {
    seed,
    sentences: o.paragraphs.reduce((n, p) => n + p.length, 0),
    words: planted.words.length,
    errors,
    falseFlagBudget: budget,
    replaced: { words: replaced.words.length, replaced: replaced.replaced.reduce((a, b) => a + b, 0), generatorTop1: replaced.generatorTop1, generator: o.generator.description },
    systems,
  };
}

function result(name: string, kind: SystemResult['kind'], planted: PlantedText, p: Float64Array, replaced: ReplacedText, r: Float64Array, budget: number, threshold?: number): SystemResult {
  const calibratedAt = thresholdForFalseFlags(cleanScores(planted, p), budget);
  return {
    name,
    kind,
    atDefault: threshold === undefined ? undefined : detectionMetrics(planted, p, threshold),
    calibrated: detectionMetrics(planted, p, calibratedAt),
    replacedAuc: rocAuc(r, replaced.replaced),
  };
}

/** Word scores of a text scored line by line (one sentence a line) by a word-sequence model. */
export function lineScores(text: string, score: (words: string[]) => Float64Array): Float64Array {
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const words = sentenceWords(line);
    if (words.length > 0) out.push(...score(words));
  }
  return Float64Array.from(out);
}
