/**
 * The downstream-results panel's rows: for each run picked and each task it was
 * fine-tuned on, the held-out score after the last epoch, by encoder (pre-trained or
 * from random weights), averaged over fine-tuning seeds. Pure functions, no DOM.
 */
import type { FinetuneEvalMetrics, MetricsRecord } from '../../shared/metricsRecord';

export interface DownstreamRow {
  runId: string;
  task: string;
  /** 'ELECTRA', 'masked LM', or 'no pre-training'. */
  encoder: string;
  /** Training FLOPs of the checkpoint fine-tuned (0 from scratch). */
  pretrainFlops: number;
  metric: 'accuracy' | 'macroF1';
  /** Mean of the seeds' last-epoch scores, and how many seeds. */
  score: number;
  seeds: number;
}

const ENCODERS: Record<string, string> = { electra: 'ELECTRA', mlm: 'masked LM' };

export function downstreamRows(runs: ReadonlyArray<{ runId: string; records: readonly MetricsRecord[] }>): DownstreamRow[] {
  const rows: DownstreamRow[] = [];
  for (const { runId, records } of runs) {
    // The last epoch of each (task, encoder, seed): records come in order.
    const last = new Map<string, FinetuneEvalMetrics>();
    for (const r of records) if (r.type === 'finetuneEval') last.set(JSON.stringify([r.task, r.source, r.seed]), r);
    const groups = new Map<string, FinetuneEvalMetrics[]>();
    for (const r of last.values()) {
      const key = JSON.stringify([r.task, r.source]);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      const r = group[0];
      rows.push({
        runId,
        task: r.task,
        encoder: r.source === 'scratch' ? 'no pre-training' : (ENCODERS[r.objective] ?? r.objective),
        pretrainFlops: r.pretrainFlops,
        metric: r.metric,
        score: group.reduce((a, g) => a + g.score, 0) / group.length,
        seeds: group.length,
      });
    }
  }
  return rows.sort((a, b) => a.task.localeCompare(b.task) || b.score - a.score);
}
