/** CSV export of the dashboard's runs: one row per metrics record, raw (unsmoothed) values. */
import type { MetricsRecord } from '../../shared/metricsRecord';

export const CSV_COLUMNS = [
  'run', 'type', 'step', 'elapsedMs', 'time', 'genLoss', 'genAccuracy', 'discLoss', 'discAccuracy',
  'precision', 'recall', 'f1', 'auc', 'replacedRate', 'loss', 'learningRate', 'gradNorm', 'tokensPerSec',
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function metricsToCsv(runs: readonly { runId: string; records: readonly MetricsRecord[] }[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const run of runs) {
    for (const r of run.records) {
      const row = r as unknown as Record<string, unknown>;
      lines.push(CSV_COLUMNS.map((c) => csvField(c === 'run' ? run.runId : row[c])).join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
