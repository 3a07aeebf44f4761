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
  /** The run's pre-training objective ('electra' or 'mlm'); absent in runs from before there was a choice (ELECTRA). */
  objective?: string;
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

/** Where a fine-tuned encoder's weights came from: a pre-training run, or random initialisation (the baseline). */
export type FinetuneSource = 'pretrained' | 'scratch';

/** Fields every fine-tuning record carries: which task, from what. */
interface FinetuneIdentity {
  /** 'pos', 'genre', or a task file's name. */
  task: string;
  source: FinetuneSource;
  /** The pre-training objective of the encoder ('electra' or 'mlm'). */
  objective: string;
  /** Pre-training step and training FLOPs of the checkpoint fine-tuned (0 from scratch). */
  pretrainStep: number;
  pretrainFlops: number;
  /** Fine-tuning seed (head initialisation, dropout, data order). */
  seed: number;
}

/** One line of metrics.jsonl every few fine-tuning steps. */
export interface FinetuneStepMetrics extends FinetuneIdentity {
  type: 'finetuneStep';
  /** Fine-tuning step (optimizer updates), from 1. */
  step: number;
  epoch: number;
  /** Cross-entropy of the step's batch (nats). */
  loss: number;
  learningRate: number;
  elapsedMs: number;
  time: number;
}

/** One line of metrics.jsonl after each fine-tuning epoch: the held-out scores. */
export interface FinetuneEvalMetrics extends FinetuneIdentity {
  type: 'finetuneEval';
  step: number;
  /** Epochs completed. */
  epoch: number;
  /** Items scored: words for tagging (their first pieces), sequences for classification. */
  examples: number;
  accuracy: number;
  macroF1: number;
  /** The task's headline metric and its value. */
  metric: 'accuracy' | 'macroF1';
  score: number;
  /** A model-free baseline of the task on the same split, in its metric (POS: the most-frequent tag). */
  reference?: { name: string; score: number };
  elapsedMs: number;
  time: number;
}

export type MetricsRecord = StepMetrics | EvalMetrics | FinetuneStepMetrics | FinetuneEvalMetrics;
