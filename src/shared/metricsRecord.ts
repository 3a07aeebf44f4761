/**
 * The records of a run's metrics.jsonl, one JSON object a line: written by the engine's
 * training loop, read by the extension (metricsTail) and drawn by the dashboard webview.
 */

/** One line of metrics.jsonl written after every optimizer step. */
export interface StepMetrics {
  type: 'step';
  step: number;
  /** Milliseconds since the run (this process) started training. */
  elapsedMs: number;
  /** Wall clock, milliseconds since the Unix epoch. */
  time: number;
  epoch: number;
  /** Generator masked-LM cross-entropy (nats), averaged over masked positions. */
  genLoss: number;
  /** Fraction of masked positions where the generator's argmax is the original token. */
  genAccuracy: number;
  /** Discriminator binary cross-entropy, averaged over non-padding tokens. */
  discLoss: number;
  /** gen_weight * genLoss + disc_weight * discLoss. */
  loss: number;
  discAccuracy: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number;
  /** Fraction of non-padding tokens that the generator actually replaced. */
  replacedRate: number;
  learningRate: number;
  gradNorm: number;
  tokensPerSec: number;
  /** Tensors alive after the step, in this thread and its data-parallel workers: flat unless something leaks. */
  liveTensors?: number;
  /**
   * Training FLOPs of the run up to and including this step (forward + backward matmuls of
   * what the objective trains: src/core/model/flops.ts). Absent in runs from before they were counted.
   */
  flops?: number;
}

/** One line of metrics.jsonl written after each evaluation on the held-out split. */
export interface EvalMetrics {
  type: 'eval';
  step: number;
  elapsedMs: number;
  time: number;
  sequences: number;
  genLoss: number;
  genAccuracy: number;
  discLoss: number;
  discAccuracy: number;
  precision: number;
  recall: number;
  f1: number;
  auc: number;
  replacedRate: number;
}

export type MetricsRecord = StepMetrics | EvalMetrics;
