/**
 * What the error benchmark reports for one system (a model or a baseline) on a text with
 * planted errors, per error kind and overall:
 * - word-level ROC-AUC of the planted words against every other word of the text;
 * - recall: the share of planted errors with at least one planted word at or above the
 *   threshold (a swap counts as found when either word is flagged);
 * - false flags per 1,000 clean words: words at or above the threshold among the words of
 *   the sentences that hold no planted error.
 */
import { rocAuc } from '../train/metrics';
import { ERROR_KINDS, type ErrorKind, type PlantedText } from './plantErrors';

export interface KindMetrics {
  errors: number;
  auc: number;
  recall: number;
}

export interface DetectionMetrics {
  threshold: number;
  perKind: Record<ErrorKind | 'all', KindMetrics>;
  cleanWords: number;
  falseFlagsPer1000: number;
}

export function detectionMetrics(planted: PlantedText, scores: ArrayLike<number>, threshold: number): DetectionMetrics {
  const perKind = {} as Record<ErrorKind | 'all', KindMetrics>;
  for (const kind of [...ERROR_KINDS, 'all'] as const) {
    const matches = (e: number) => e >= 0 && (kind === 'all' || planted.errors[e].kind === kind);
    const s: number[] = [];
    const labels: number[] = [];
    const found = new Set<number>();
    const errors = new Set<number>();
    for (let i = 0; i < planted.words.length; i++) {
      const e = planted.errorOf[i];
      if (e >= 0 && !matches(e)) continue; // other kinds' planted words are neither positives nor clean
      if (Number.isNaN(scores[i])) continue;
      s.push(scores[i]);
      labels.push(e >= 0 ? 1 : 0);
      if (e >= 0) {
        errors.add(e);
        if (scores[i] >= threshold) found.add(e);
      }
    }
    perKind[kind] = { errors: errors.size, auc: rocAuc(s, labels), recall: errors.size > 0 ? found.size / errors.size : NaN };
  }
  const { clean, flagged } = cleanFlags(planted, scores, threshold);
  return { threshold, perKind, cleanWords: clean, falseFlagsPer1000: clean > 0 ? (1000 * flagged) / clean : NaN };
}

function cleanFlags(planted: PlantedText, scores: ArrayLike<number>, threshold: number): { clean: number; flagged: number } {
  let clean = 0;
  let flagged = 0;
  for (let i = 0; i < planted.words.length; i++) {
    if (!planted.inCleanSentence[i] || Number.isNaN(scores[i])) continue;
    clean++;
    if (scores[i] >= threshold) flagged++;
  }
  return { clean, flagged };
}

/**
 * The lowest threshold that flags at most `per1000` of every 1,000 of the given clean
 * words' scores: just above the (k+1)-th highest score, k = floor(n * per1000 / 1000).
 * An in-sample fit: on other text of the same kind it flags about that many, half the time more.
 */
export function thresholdForFalseFlags(cleanScores: ArrayLike<number>, per1000: number): number {
  const sorted = descending(cleanScores);
  return thresholdFlagging(sorted, Math.floor((sorted.length * per1000) / 1000));
}

/**
 * The lowest threshold at which the clean words' scores bound the false-flag rate: with
 * `confidence`, at most `per1000` of every 1,000 words of text like this sample get flagged.
 * It flags at most k of the n words, the largest k that a rate of per1000 / 1,000 would
 * exceed with probability `confidence` (binomial: P(X <= k) <= 1 - confidence). A sample of
 * 20,000 words at 5 per 1,000 allows 83 flags (4.2 per 1,000); a smaller sample, fewer.
 * -Infinity is never returned: when not even k = 0 can be said, the result is Infinity.
 */
export function thresholdForFalseFlagBound(cleanScores: ArrayLike<number>, per1000: number, confidence: number): number {
  const sorted = descending(cleanScores);
  const k = maxFlagsWithin(sorted.length, per1000 / 1000, 1 - confidence);
  return k < 0 ? Infinity : thresholdFlagging(sorted, k);
}

/**
 * The largest k with P(X <= k) <= alpha for X ~ Binomial(n, p), or -1 when P(X = 0) alone
 * exceeds alpha. The terms are summed from k = 0 in log space (n is at most a few hundred
 * thousand words, k near n * p).
 */
export function maxFlagsWithin(n: number, p: number, alpha: number): number {
  if (p >= 1) return n;
  if (p <= 0) return -1;
  let logPmf = n * Math.log1p(-p);
  let cdf = 0;
  const logOdds = Math.log(p) - Math.log1p(-p);
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf);
    if (cdf > alpha) return k - 1;
    logPmf += Math.log(n - k) - Math.log(k + 1) + logOdds;
  }
  return n;
}

function descending(scores: ArrayLike<number>): number[] {
  return Array.from(scores).filter((x) => !Number.isNaN(x)).sort((a, b) => b - a);
}

/** Just above the (k+1)-th highest of `sorted` (descending): flags its first k. */
function thresholdFlagging(sorted: number[], k: number): number {
  if (sorted.length === 0) return Infinity;
  if (k >= sorted.length) return -Infinity;
  const v = sorted[k];
  return v + Math.max(Math.abs(v), 1e-300) * 1e-9;
}

/** Scores of the words of a planted text's clean sentences. */
export function cleanScores(planted: PlantedText, scores: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < planted.words.length; i++) if (planted.inCleanSentence[i]) out.push(scores[i]);
  return out;
}
