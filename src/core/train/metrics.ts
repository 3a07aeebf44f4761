/**
 * Training and evaluation metrics: the arithmetic behind the records of metrics.jsonl
 * (binary classification counts, ROC-AUC). The records themselves are a file format read
 * by the extension and the dashboard: src/shared/metricsRecord.ts.
 */

import type { ObjectiveStats } from '../model/objective';

export type { EvalMetrics, MetricsRecord, StepMetrics } from '../../shared/metricsRecord';

/** Precision, recall, F1 and accuracy of thresholded predictions against 0/1 labels. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function countBinary(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): BinaryCounts {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < probs.length; i++) {
    const predicted = probs[i] >= threshold;
    const actual = labels[i] >= 0.5;
    if (predicted && actual) c.tp++;
    else if (predicted) c.fp++;
    else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}

export function addCounts(a: BinaryCounts, b: BinaryCounts): BinaryCounts {
  return { tp: a.tp + b.tp, fp: a.fp + b.fp, tn: a.tn + b.tn, fn: a.fn + b.fn };
}

export function summarizeCounts(c: BinaryCounts): { accuracy: number; precision: number; recall: number; f1: number } {
  const total = c.tp + c.fp + c.tn + c.fn;
  const precision = c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { accuracy: total > 0 ? (c.tp + c.tn) / total : 0, precision, recall, f1 };
}

/**
 * Area under the ROC curve by the rank statistic (Mann-Whitney U), ties given half
 * credit. NaN when only one class is present, since AUC is undefined there.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1; // 1-based rank shared by the tied run
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] >= 0.5) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * One record's figures from the statistics of several batches (micro-batches of a step,
 * or an evaluation's batches): losses averaged over batches, classification counts and
 * the AUC's inputs pooled over every token.
 */
export function summarizeStats(stats: ObjectiveStats[]) {
  let counts: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  let genCorrect = 0;
  let masked = 0;
  let replaced = 0;
  let total = 0;
  const probs: number[] = [];
  const labels: number[] = [];
  for (const s of stats) {
    counts = addCounts(counts, countBinary(s.discProbs, s.labels));
    genCorrect += s.genCorrect;
    masked += s.maskedCount;
    for (let i = 0; i < s.labels.length; i++) {
      replaced += s.labels[i];
      probs.push(s.discProbs[i]);
      labels.push(s.labels[i]);
    }
    total += s.labels.length;
  }
  const mean = (f: (s: ObjectiveStats) => number) => stats.reduce((a, s) => a + f(s), 0) / stats.length;
  const summary = summarizeCounts(counts);
  return {
    genLoss: mean((s) => s.genLoss),
    genAccuracy: masked > 0 ? genCorrect / masked : 0,
    discLoss: mean((s) => s.discLoss),
    loss: mean((s) => s.loss),
    discAccuracy: summary.accuracy,
    precision: summary.precision,
    recall: summary.recall,
    f1: summary.f1,
    auc: rocAuc(probs, labels),
    replacedRate: total > 0 ? replaced / total : 0,
  };
}
