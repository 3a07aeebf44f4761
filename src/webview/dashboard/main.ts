/**
 * The training dashboard (webview). Charts of every run the user picks, one colour per
 * run: solid lines for training steps (EMA-smoothed by the slider), dashed lines with
 * points for held-out evaluations. Data comes from the extension (DashboardChannel);
 * the picked runs, smoothing and x axis survive hiding through vscode.setState.
 */
import {
  Chart,
  Decimation,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { MetricsRecord } from '../../shared/metricsRecord';
import type { DashboardChannel, RunSummary } from '../../shared/webviewProtocol';
import { connectToHost, cssVar, el } from '../host';
import { metricsToCsv } from './csv';
import { CHARTS, seriesFor, type ChartSpec, type Point, type XAxis } from './series';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Decimation);

interface State {
  selectedRuns: string[];
  smoothing: number;
  xAxis: XAxis;
}

const host = connectToHost<DashboardChannel, State>();
const rpc = host.rpc;
const state: State = { selectedRuns: [], smoothing: 0.6, xAxis: 'step', ...host.getState() };
let runs: RunSummary[] = [];
const records = new Map<string, MetricsRecord[]>();
let firstRunList = host.getState() === undefined;

// ----------------------------------------------------------------------------- layout

const app = document.getElementById('app')!;
const toolbar = el('div', 'toolbar');
const runsBox = el('details', 'runs');
const runsSummary = el('summary', undefined, 'Runs');
const runList = el('div', 'run-list');
runsBox.append(runsSummary, runList);
runsBox.open = true;

const smoothingLabel = el('label', 'smoothing', 'Smoothing ');
const smoothing = el('input');
smoothing.type = 'range';
smoothing.min = '0';
smoothing.max = '0.99';
smoothing.step = '0.01';
smoothing.value = String(state.smoothing);
smoothing.id = 'smoothing';
smoothing.setAttribute('aria-label', 'Smoothing (exponential moving average weight)');
const smoothingValue = el('output', 'value', state.smoothing.toFixed(2));
smoothingLabel.append(smoothing, smoothingValue);

const axisLabel = el('label', 'axis', 'X axis ');
const axis = el('select');
axis.id = 'x-axis';
for (const [value, text] of [['step', 'Step'], ['time', 'Wall time (min)']] as const) {
  const o = el('option', undefined, text);
  o.value = value;
  axis.append(o);
}
axis.value = state.xAxis;
axisLabel.append(axis);

const csvButton = el('button', undefined, 'Export CSV');
csvButton.id = 'export-csv';
const pngButton = el('button', undefined, 'Export PNG');
pngButton.id = 'export-png';
const buttons = el('div', 'buttons');
buttons.append(csvButton, pngButton);

toolbar.append(runsBox, smoothingLabel, axisLabel, buttons);
const status = el('div', 'status');
status.setAttribute('role', 'status');
const chartsBox = el('div', 'charts');
app.append(toolbar, status, chartsBox);

// ----------------------------------------------------------------------------- charts

interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  palette: string[];
}

function readTheme(): Theme {
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)'),
    background: cssVar('--vscode-sideBar-background', cssVar('--vscode-editor-background', '#1e1e1e')),
    // VS Code's chart colours follow the theme; the fallbacks are Okabe-Ito (colour-blind safe).
    palette: [
      cssVar('--vscode-charts-blue', '#0072B2'),
      cssVar('--vscode-charts-orange', '#E69F00'),
      cssVar('--vscode-charts-green', '#009E73'),
      cssVar('--vscode-charts-purple', '#CC79A7'),
      cssVar('--vscode-charts-red', '#D55E00'),
      cssVar('--vscode-charts-yellow', '#F0E442'),
      '#56B4E9',
      '#999999',
    ],
  };
}
let theme = readTheme();

interface ChartView {
  spec: ChartSpec;
  section: HTMLElement;
  chart: Chart<'line', Point[]>;
}

function formatValue(y: number): string {
  if (!Number.isFinite(y)) return String(y);
  if (y !== 0 && (Math.abs(y) < 1e-3 || Math.abs(y) >= 1e5)) return y.toExponential(3);
  return y.toPrecision(4);
}

function makeChart(spec: ChartSpec): ChartView {
  const section = el('section', 'chart');
  section.dataset.chart = spec.id;
  const title = el('h3', undefined, spec.title);
  const box = el('div', 'canvas-box');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  box.append(canvas);
  section.append(title, box);
  chartsBox.append(section);
  const chart = new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step' }, ticks: { maxTicksLimit: 6 } },
        y: { type: spec.logScale ? 'logarithmic' : 'linear', ticks: { maxTicksLimit: 5 } },
      },
      plugins: {
        legend: { display: true, position: 'bottom', labels: { boxWidth: 10, boxHeight: 2 } },
        decimation: { enabled: true, algorithm: 'lttb', samples: 400 },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? (state.xAxis === 'step' ? `step ${Math.round(items[0].parsed.x)}` : `${items[0].parsed.x.toFixed(2)} min`) : ''),
            label: (item) => `${item.dataset.label}: ${formatValue(item.parsed.y)}`,
          },
        },
      },
    },
  });
  return { spec, section, chart };
}

const views = CHARTS.map(makeChart);

function applyTheme(): void {
  theme = readTheme();
  Chart.defaults.color = theme.muted;
  Chart.defaults.borderColor = theme.grid;
  for (const v of views) {
    const scales = v.chart.options.scales!;
    for (const s of [scales.x!, scales.y!]) {
      s.grid = { ...s.grid, color: theme.grid };
      s.ticks = { ...s.ticks, color: theme.muted };
    }
    (scales.x as { title: { color?: string } }).title.color = theme.muted;
    v.chart.options.plugins!.legend!.labels!.color = theme.foreground;
  }
  renderRunList();
  redraw();
}

function colourOf(runId: string): string {
  const i = state.selectedRuns.indexOf(runId);
  return theme.palette[(i < 0 ? 0 : i) % theme.palette.length];
}

/** Re-plots every chart from the records held; called at most once per animation frame. */
function redraw(): void {
  for (const v of views) {
    const datasets: ChartDataset<'line', Point[]>[] = [];
    const summary: { label: string; points: number; lastX: number | null; lastY: number | null }[] = [];
    for (const runId of state.selectedRuns) {
      const recs = records.get(runId);
      if (!recs) continue;
      const s = seriesFor(v.spec, recs, state.xAxis, state.smoothing);
      const colour = colourOf(runId);
      if (v.spec.train) {
        datasets.push({ label: `${runId} train`, data: s.train, borderColor: colour, backgroundColor: colour, borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 3 });
        summary.push({ label: `${runId} train`, points: s.train.length, lastX: s.train.at(-1)?.x ?? null, lastY: s.train.at(-1)?.y ?? null });
      }
      if (v.spec.eval && s.eval.length > 0) {
        datasets.push({ label: `${runId} eval`, data: s.eval, borderColor: colour, backgroundColor: colour, borderWidth: 1.5, borderDash: [5, 3], pointRadius: 2.5, pointHoverRadius: 4 });
        summary.push({ label: `${runId} eval`, points: s.eval.length, lastX: s.eval.at(-1)?.x ?? null, lastY: s.eval.at(-1)?.y ?? null });
      }
    }
    v.chart.data.datasets = datasets;
    (v.chart.options.scales!.x as { title: { text: string } }).title.text = state.xAxis === 'step' ? 'step' : 'wall time (minutes)';
    v.chart.update('none');
    // What the chart shows, for screen readers (and for tests, which cannot read a canvas).
    v.section.dataset.series = JSON.stringify(summary);
    v.chart.canvas.setAttribute(
      'aria-label',
      `${v.spec.title}: ` + (summary.length ? summary.map((s) => `${s.label} ${s.points} points, last ${s.lastY === null ? 'none' : formatValue(s.lastY)}`).join('; ') : 'no data'),
    );
  }
  const total = state.selectedRuns.reduce((n, id) => n + (records.get(id)?.length ?? 0), 0);
  if (state.selectedRuns.length === 0) status.textContent = runs.length ? 'Pick a run to chart.' : 'No runs yet: run "ELECTRA: Pretrain on Workspace".';
  else if (total === 0) status.textContent = 'Waiting for the first metrics…';
  else if (!status.dataset.sticky) status.textContent = '';
}

let frame = 0;
function scheduleRedraw(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    redraw();
  });
}

// ----------------------------------------------------------------------------- runs

function renderRunList(): void {
  runList.replaceChildren();
  runsSummary.textContent = `Runs (${state.selectedRuns.length}/${runs.length})`;
  for (const run of runs) {
    const label = el('label', 'run');
    const box = el('input');
    box.type = 'checkbox';
    box.value = run.id;
    box.checked = state.selectedRuns.includes(run.id);
    const swatch = el('span', 'swatch');
    if (box.checked) swatch.style.backgroundColor = colourOf(run.id);
    const name = el('span', 'name', run.id);
    const info = el('span', 'info', [run.preset, run.state !== 'idle' ? run.state : undefined, run.latestCheckpointStep !== undefined ? `ckpt ${run.latestCheckpointStep}` : undefined].filter(Boolean).join(' · '));
    if (run.state !== 'idle') label.classList.add('live');
    label.append(box, swatch, name, info);
    runList.append(label);
  }
}

runList.addEventListener('change', (e) => {
  const box = e.target as HTMLInputElement;
  const selected = new Set(state.selectedRuns);
  if (box.checked) selected.add(box.value);
  else selected.delete(box.value);
  // Keep the order runs were picked in, so colours stay put.
  state.selectedRuns = [...state.selectedRuns.filter((id) => selected.has(id)), ...[...selected].filter((id) => !state.selectedRuns.includes(id))];
  save();
  void load();
});

async function load(): Promise<void> {
  try {
    const loaded = await rpc.request('loadRuns', { runIds: state.selectedRuns });
    records.clear();
    for (const r of loaded) records.set(r.runId, r.records);
  } catch (e) {
    showStatus(`Could not load metrics: ${(e as Error).message}`);
  }
  renderRunList();
  scheduleRedraw();
}

function setRuns(list: RunSummary[]): void {
  runs = list;
  const ids = new Set(list.map((r) => r.id));
  const before = state.selectedRuns.join();
  state.selectedRuns = state.selectedRuns.filter((id) => ids.has(id));
  // First time: show the newest run (and every run that is training).
  if (firstRunList && list.length > 0) {
    firstRunList = false;
    const live = list.filter((r) => r.state !== 'idle').map((r) => r.id);
    state.selectedRuns = live.length ? live : [list[0].id];
  }
  // A run that starts training joins the charts.
  for (const r of list) if (r.state === 'training' && !state.selectedRuns.includes(r.id) && !seenLive.has(r.id)) state.selectedRuns.push(r.id);
  for (const r of list) if (r.state !== 'idle') seenLive.add(r.id);
  save();
  renderRunList();
  if (state.selectedRuns.join() !== before || [...state.selectedRuns].some((id) => !records.has(id))) void load();
  else scheduleRedraw();
}
const seenLive = new Set<string>();

function save(): void {
  host.setState({ ...state });
}

function showStatus(text: string): void {
  status.textContent = text;
  status.dataset.sticky = '1';
  setTimeout(() => delete status.dataset.sticky, 4000);
}

// ----------------------------------------------------------------------------- controls

smoothing.addEventListener('input', () => {
  state.smoothing = Number(smoothing.value);
  smoothingValue.textContent = state.smoothing.toFixed(2);
  save();
  scheduleRedraw();
});

axis.addEventListener('change', () => {
  state.xAxis = axis.value as XAxis;
  save();
  scheduleRedraw();
});

function exportName(ext: string): string {
  const runsPart = state.selectedRuns.length === 1 ? state.selectedRuns[0].replace(/[^\w.-]+/g, '_') : `${state.selectedRuns.length}-runs`;
  return `electra-metrics-${runsPart}.${ext}`;
}

async function exportCsv(): Promise<void> {
  const csv = metricsToCsv(state.selectedRuns.filter((id) => records.has(id)).map((id) => ({ runId: id, records: records.get(id)! })));
  const { savedTo } = await rpc.request('exportCsv', { suggestedName: exportName('csv'), csv });
  if (savedTo) showStatus(`Saved ${savedTo}`);
}

/** All charts stacked into one image, on the theme's background, with their titles. */
function chartsImage(): string {
  const canvases = views.map((v) => v.chart.canvas);
  const scale = window.devicePixelRatio || 1;
  const titleHeight = Math.round(22 * scale);
  const width = Math.max(...canvases.map((c) => c.width));
  const height = canvases.reduce((h, c) => h + c.height + titleHeight, 0);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `${Math.round(13 * scale)}px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  ctx.textBaseline = 'middle';
  let y = 0;
  views.forEach((v, i) => {
    ctx.fillText(v.spec.title, 8 * scale, y + titleHeight / 2);
    y += titleHeight;
    ctx.drawImage(canvases[i], 0, y);
    y += canvases[i].height;
  });
  return out.toDataURL('image/png');
}

async function exportPng(): Promise<void> {
  const { savedTo } = await rpc.request('exportPng', { suggestedName: exportName('png'), dataUrl: chartsImage() });
  if (savedTo) showStatus(`Saved ${savedTo}`);
}

const reportError = (e: unknown): void => showStatus(`Export failed: ${(e as Error).message}`);
csvButton.addEventListener('click', () => void exportCsv().catch(reportError));
pngButton.addEventListener('click', () => void exportPng().catch(reportError));

// ----------------------------------------------------------------------------- host messages

rpc.onNotification('runsChanged', ({ runs: list }) => setRuns(list));
rpc.onNotification('metricsAppended', ({ runId, records: added, reset }) => {
  if (!state.selectedRuns.includes(runId)) return;
  const list = reset ? [] : (records.get(runId) ?? []);
  list.push(...added);
  records.set(runId, list);
  scheduleRedraw();
});
rpc.onNotification('exportRequested', ({ format }) => void (format === 'csv' ? exportCsv() : exportPng()).catch(reportError));

// Theme changes swap the body's class (vscode-light, vscode-dark, vscode-high-contrast).
new MutationObserver(() => applyTheme()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

applyTheme();
rpc.notify('ready', {});
rpc.request('listRuns', {}).then(setRuns, (e: Error) => showStatus(`Could not list runs: ${e.message}`));
