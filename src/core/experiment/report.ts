/**
 * The ELECTRA-vs-masked-LM report: downstream scores (mean ± sample standard deviation
 * over seeds, and each seed), the pre-training runs, and the held-out learning curves
 * against training FLOPs, as Markdown, as HTML (for the dashboard and a browser) and as an
 * SVG chart. Pure functions of the results: no file or clock access.
 */
import { basename } from 'node:path';
import { formatFlops } from '../model/flops';

export type SourceName = 'electra' | 'mlm' | 'scratch';

export const SOURCE_TITLES: Readonly<Record<SourceName, string>> = {
  electra: 'ELECTRA',
  mlm: 'masked LM',
  scratch: 'no pre-training',
};

export interface CurvePoint {
  flops: number;
  /** Held-out masked-LM loss: ELECTRA's generator's, or the masked LM's. */
  mlmLoss: number;
  /** ELECTRA's discriminator (null/NaN for the masked LM). */
  discAuc: number | null;
  discLoss: number;
}

export interface TaskScore {
  metric: 'accuracy' | 'macroF1';
  score: number;
  accuracy: number;
  macroF1: number;
  examples: number;
  /** Held-out score after each epoch (the fine-tuning curve; the last is `score`). */
  byEpoch: number[];
  /** The task's model-free reference on the same split (POS: the most-frequent tag). */
  reference?: { name: string; score: number };
}

export interface RunResult {
  source: SourceName;
  seed: number;
  steps: number;
  flops: number;
  curve: CurvePoint[];
  /** By task name ('pos', 'genre', a file's name). */
  scores: Record<string, TaskScore>;
}

export interface ExperimentResults {
  preset: string;
  budget: number;
  seeds: number[];
  /** As asked: 'pos', 'genre' or task file paths. */
  tasks: string[];
  corpus: string;
  elapsedMs: number;
  runs: RunResult[];
}

export const taskName = (task: string): string => (task === 'pos' || task === 'genre' ? task : basename(task));

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : NaN;
}

/** Sample standard deviation (n - 1); NaN for fewer than two values. */
export function sampleStd(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : 'n/a');
const meanStd = (xs: number[]) => (xs.length === 0 ? 'n/a' : `${pct(mean(xs))} ± ${xs.length > 1 ? pct(sampleStd(xs)) : '—'}`);

/** One table, for Markdown and HTML alike. */
interface Table {
  headers: string[];
  rows: string[][];
}

function markdownTable(t: Table): string {
  return [`| ${t.headers.join(' | ')} |`, `|${t.headers.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function htmlTable(t: Table): string {
  return `<table><thead><tr>${t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function scoresOf(results: ExperimentResults, source: SourceName, task: string): number[] {
  return results.runs.filter((r) => r.source === source && r.scores[task]).map((r) => r.scores[task].score);
}

/** A task's model-free reference as the report shows it (mean over the runs that recorded it: one split, one value). */
function referenceOf(results: ExperimentResults, task: string): string {
  const refs = results.runs.map((r) => r.scores[task]?.reference).filter((x): x is { name: string; score: number } => x !== undefined);
  if (refs.length === 0) return '—';
  return `${pct(mean(refs.map((x) => x.score)))} (${refs[0].name})`;
}

function downstreamTable(results: ExperimentResults): Table {
  const rows = results.tasks.map(taskName).map((task) => {
    const metric = results.runs.find((r) => r.scores[task])?.scores[task].metric ?? 'accuracy';
    return [`${task} (${metric === 'accuracy' ? 'accuracy %' : 'macro-F1'})`, ...(['electra', 'mlm', 'scratch'] as const).map((s) => meanStd(scoresOf(results, s, task))), referenceOf(results, task)];
  });
  return { headers: ['task (held-out)', SOURCE_TITLES.electra, SOURCE_TITLES.mlm, SOURCE_TITLES.scratch, 'reference, no model'], rows };
}

/** The fine-tuning curves: held-out score after each epoch, mean over seeds, per encoder and task. */
export function meanEpochCurve(results: ExperimentResults, source: SourceName, task: string): number[] {
  const curves = results.runs.filter((r) => r.source === source && r.scores[task]).map((r) => r.scores[task].byEpoch);
  const n = Math.min(...curves.map((c) => c.length));
  return Number.isFinite(n) ? Array.from({ length: n }, (_, i) => mean(curves.map((c) => c[i]))) : [];
}

function finetuneCurveTable(results: ExperimentResults): Table {
  const tasks = results.tasks.map(taskName);
  const epochs = Math.max(0, ...results.runs.flatMap((r) => tasks.map((t) => r.scores[t]?.byEpoch.length ?? 0)));
  const rows = tasks.flatMap((task) => (['electra', 'mlm', 'scratch'] as const).map((s) => [task, SOURCE_TITLES[s], ...Array.from({ length: epochs }, (_, i) => pct(meanEpochCurve(results, s, task)[i] ?? NaN))]));
  return { headers: ['task', 'encoder', ...Array.from({ length: epochs }, (_, i) => `epoch ${i + 1}`)], rows };
}

function perSeedTable(results: ExperimentResults): Table {
  const tasks = results.tasks.map(taskName);
  const rows = results.runs.map((r) => [SOURCE_TITLES[r.source], String(r.seed), ...tasks.map((t) => (r.scores[t] ? pct(r.scores[t].score) : 'n/a'))]);
  return { headers: ['encoder', 'seed', ...tasks], rows };
}

function pretrainingTable(results: ExperimentResults): Table {
  const rows = (['electra', 'mlm'] as const).map((source) => {
    const runs = results.runs.filter((r) => r.source === source);
    const finalLoss = runs.map((r) => r.curve[r.curve.length - 1]?.mlmLoss).filter((x): x is number => Number.isFinite(x));
    const finalAuc = runs.map((r) => r.curve[r.curve.length - 1]?.discAuc).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return [
      SOURCE_TITLES[source],
      runs.map((r) => r.steps).join(', '),
      formatFlops(mean(runs.map((r) => r.flops))),
      finalLoss.length ? mean(finalLoss).toFixed(3) : 'n/a',
      finalAuc.length ? mean(finalAuc).toFixed(3) : 'n/a',
    ];
  });
  return { headers: ['objective', 'steps (each seed)', 'training FLOPs (mean)', 'held-out MLM loss, last eval (mean)', 'discriminator ROC-AUC, last eval (mean)'], rows };
}

/** The mean curve of a source: the seeds' points averaged by position (their FLOPs differ by a step at most). */
export function meanCurve(results: ExperimentResults, source: SourceName): CurvePoint[] {
  const curves = results.runs.filter((r) => r.source === source).map((r) => r.curve);
  const n = Math.min(...curves.map((c) => c.length));
  if (!Number.isFinite(n)) return [];
  return Array.from({ length: n }, (_, i) => {
    const at = curves.map((c) => c[i]);
    const aucs = at.map((p) => p.discAuc).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return { flops: mean(at.map((p) => p.flops)), mlmLoss: mean(at.map((p) => p.mlmLoss)), discAuc: aucs.length ? mean(aucs) : null, discLoss: mean(at.map((p) => p.discLoss)) };
  });
}

function curveTable(results: ExperimentResults): Table {
  const rows: string[][] = [];
  for (const source of ['electra', 'mlm'] as const) {
    for (const p of meanCurve(results, source)) {
      rows.push([SOURCE_TITLES[source], formatFlops(p.flops), p.mlmLoss.toFixed(3), source === 'electra' ? p.discLoss.toFixed(4) : '', p.discAuc !== null ? p.discAuc.toFixed(3) : '']);
    }
  }
  return { headers: ['objective', 'training FLOPs', 'held-out MLM loss', 'discriminator loss', 'discriminator ROC-AUC'], rows };
}

/** A line chart of y against training FLOPs, one series per objective. */
function lineChart(title: string, series: Array<{ name: string; color: string; points: Array<[number, number]> }>, x0: number, xAxis = { label: 'training FLOPs', format: formatFlops }, width = 360, height = 220): string {
  const pad = { l: 48, r: 12, t: 24, b: 36 };
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (all.length === 0) return `<g transform="translate(${x0},0)"><text x="${pad.l}" y="16" font-size="12">${escapeHtml(title)}: no data</text></g>`;
  const xMax = Math.max(...all.map(([x]) => x));
  let yMin = Math.min(...all.map(([, y]) => y));
  let yMax = Math.max(...all.map(([, y]) => y));
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const sx = (x: number) => pad.l + (x / (xMax || 1)) * (width - pad.l - pad.r);
  const sy = (y: number) => pad.t + (1 - (y - yMin) / (yMax - yMin)) * (height - pad.t - pad.b);
  const lines = series
    .map((s, k) => {
      const pts = s.points.filter(([, y]) => Number.isFinite(y));
      if (pts.length === 0) return '';
      const path = pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
      return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${path}"/>${pts.map(([x, y]) => `<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`).join('')}<text x="${width - pad.r - 90}" y="${pad.t + 14 * (k + 1)}" font-size="11" fill="${s.color}">${escapeHtml(s.name)}</text>`;
    })
    .join('');
  return `<g transform="translate(${x0},0)">
<text x="${pad.l}" y="14" font-size="12" font-weight="bold">${escapeHtml(title)}</text>
<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#888"/>
<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#888"/>
<text x="${pad.l}" y="${height - pad.b + 14}" font-size="10">0</text>
<text x="${width - pad.r}" y="${height - pad.b + 14}" font-size="10" text-anchor="end">${escapeHtml(xAxis.format(xMax))}</text>
<text x="${(pad.l + width - pad.r) / 2}" y="${height - 6}" font-size="10" text-anchor="middle">${escapeHtml(xAxis.label)}</text>
<text x="${pad.l - 4}" y="${pad.t + 4}" font-size="10" text-anchor="end">${yMax.toFixed(2)}</text>
<text x="${pad.l - 4}" y="${height - pad.b}" font-size="10" text-anchor="end">${yMin.toFixed(2)}</text>
${lines}</g>`;
}

export function curvesSvg(results: ExperimentResults): string {
  const electra = meanCurve(results, 'electra');
  const mlm = meanCurve(results, 'mlm');
  const loss = lineChart('Held-out masked-LM loss (nats)', [
    { name: "ELECTRA's generator", color: '#1f77b4', points: electra.map((p) => [p.flops, p.mlmLoss]) },
    { name: 'masked LM', color: '#d62728', points: mlm.map((p) => [p.flops, p.mlmLoss]) },
  ], 0);
  const auc = lineChart("ELECTRA's discriminator: held-out ROC-AUC", [{ name: 'ELECTRA', color: '#1f77b4', points: electra.map((p) => [p.flops, p.discAuc ?? NaN]) }], 380);
  // The first task's fine-tuning curves: is every encoder trained to convergence?
  const task = taskName(results.tasks[0] ?? '');
  const colors: Record<SourceName, string> = { electra: '#1f77b4', mlm: '#d62728', scratch: '#7f7f7f' };
  const finetune = lineChart(
    `Fine-tuning: held-out ${task} score (%) by epoch`,
    (['electra', 'mlm', 'scratch'] as const).map((s) => ({ name: SOURCE_TITLES[s], color: colors[s], points: meanEpochCurve(results, s, task).map((y, i): [number, number] => [i + 1, 100 * y]) })),
    760,
    { label: 'epoch', format: (x) => String(x) },
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1140" height="220" viewBox="0 0 1140 220" font-family="sans-serif">\n${loss}\n${auc}\n${finetune}\n</svg>\n`;
}

/** One sentence per task: which pre-training won, by how much, in how many seeds, and whether pre-training helped at all. */
export function verdicts(results: ExperimentResults): string[] {
  return results.tasks.map(taskName).map((task) => {
    const e = scoresOf(results, 'electra', task);
    const m = scoresOf(results, 'mlm', task);
    const s = scoresOf(results, 'scratch', task);
    if (e.length === 0 || m.length === 0) return `${task}: not fine-tuned.`;
    const diff = 100 * (mean(e) - mean(m));
    const seedsAhead = results.seeds.filter((seed) => {
      const es = results.runs.find((r) => r.source === 'electra' && r.seed === seed)?.scores[task]?.score;
      const ms = results.runs.find((r) => r.source === 'mlm' && r.seed === seed)?.scores[task]?.score;
      return es !== undefined && ms !== undefined && es > ms;
    }).length;
    const best = Math.max(mean(e), mean(m));
    const ref = results.runs.find((r) => r.scores[task]?.reference)?.scores[task].reference;
    const versus = ref ? ` (${ref.name}: ${pct(ref.score)})` : '';
    const helped = s.length ? (best > mean(s) ? `the better pre-trained encoder beats no pre-training by ${(100 * (best - mean(s))).toFixed(2)} points` : `no pre-training scores ${(100 * (mean(s) - best)).toFixed(2)} points above the better pre-trained encoder: pre-training did not help at this budget`) : 'no baseline';
    return `${task}: ELECTRA ${diff >= 0 ? 'ahead of' : 'behind'} the masked LM by ${Math.abs(diff).toFixed(2)} points (mean), ahead in ${seedsAhead} of ${results.seeds.length} seeds; ${helped}${versus}.`;
  });
}

export function renderExperimentReport(results: ExperimentResults): { markdown: string; html: string; svg: string } {
  const svg = curvesSvg(results);
  const n = results.seeds.length;
  const intro = [
    `Corpus: ${results.corpus}. Preset: ${results.preset}. Pre-training budget: ${formatFlops(results.budget)} (${results.budget.toExponential(2)} training FLOPs: forward + backward matmuls, src/core/model/flops.ts) for each objective. Seeds: ${results.seeds.join(', ')}. Took ${(results.elapsedMs / 60_000).toFixed(1)} minutes.`,
    `Held-out scores after fine-tuning; mean ± sample standard deviation over ${n} seed${n === 1 ? '' : 's'}${n === 1 ? ' (one seed: no spread)' : ''}. "No pre-training" is the same encoder fine-tuned from random weights.`,
  ];
  const sections: Array<[string, Table | string[]]> = [
    ['Downstream', downstreamTable(results)],
    ['Verdict', verdicts(results)],
    ['Each seed', perSeedTable(results)],
    ['Fine-tuning curves (held-out score after each epoch, mean over seeds)', finetuneCurveTable(results)],
    ['Pre-training', pretrainingTable(results)],
    ['Learning curves (held-out, mean over seeds)', curveTable(results)],
  ];
  const md = [`# ELECTRA vs masked LM at equal pre-training compute`, '', ...intro.flatMap((p) => [p, ''])];
  const html = [`<h1>ELECTRA vs masked LM at equal pre-training compute</h1>`, ...intro.map((p) => `<p>${escapeHtml(p)}</p>`)];
  for (const [title, body] of sections) {
    md.push(`## ${title}`, '');
    html.push(`<h2>${escapeHtml(title)}</h2>`);
    if (Array.isArray(body)) {
      md.push(...body.map((line) => `- ${line}`), '');
      html.push(`<ul>${body.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`);
    } else {
      md.push(markdownTable(body), '');
      html.push(htmlTable(body));
    }
    if (title.startsWith('Learning curves')) {
      md.push('![Learning curves against training FLOPs](curves.svg)', '');
      html.push(svg);
    }
  }
  return {
    markdown: md.join('\n'),
    html: `<!doctype html><html><head><meta charset="utf-8"><title>ELECTRA vs masked LM</title><style>body{font-family:sans-serif;max-width:60em;margin:1em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>${html.join('\n')}</body></html>\n`,
    svg,
  };
}
