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
 */
export function thresholdForFalseFlags(cleanScores: ArrayLike<number>, per1000: number): number {
  const sorted = Array.from(cleanScores).filter((x) => !Number.isNaN(x)).sort((a, b) => b - a);
  if (sorted.length === 0) return Infinity;
  const k = Math.floor((sorted.length * per1000) / 1000);
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
