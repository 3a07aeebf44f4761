/**
 * Held-out scores of a classifier: accuracy, and macro-F1 (the mean of the per-label F1
 * over every label that occurs in the gold labels or the predictions, so a label the
 * model never predicts counts as 0, and one it predicts wrongly costs precision).
 */

export interface ClassificationScores {
  /** Items scored (tokens for tagging, sequences for classification). */
  count: number;
  accuracy: number;
  macroF1: number;
}

export function classificationScores(predicted: ArrayLike<number>, gold: ArrayLike<number>): ClassificationScores {
  if (predicted.length !== gold.length) throw new Error(`${predicted.length} predictions for ${gold.length} labels`);
  const n = gold.length;
  const tp = new Map<number, number>();
  const fp = new Map<number, number>();
  const fn = new Map<number, number>();
  const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (predicted[i] === gold[i]) {
      correct++;
      bump(tp, gold[i]);
    } else {
      bump(fp, predicted[i]);
      bump(fn, gold[i]);
    }
  }
  const labels = new Set<number>([...tp.keys(), ...fp.keys(), ...fn.keys()]);
  let f1Sum = 0;
  for (const label of labels) {
    const t = tp.get(label) ?? 0;
    const denominator = 2 * t + (fp.get(label) ?? 0) + (fn.get(label) ?? 0);
    f1Sum += denominator > 0 ? (2 * t) / denominator : 0;
  }
  return { count: n, accuracy: n > 0 ? correct / n : 0, macroF1: labels.size > 0 ? f1Sum / labels.size : 0 };
}
