// The training dashboard's bundle in headless Chromium, fed the metrics of two real
// training runs through the real protocol (the extension side answered from Node).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MetricsRecord } from '../../src/core/train/metrics';
import { MetricsTail } from '../../src/extension/metricsTail';
import type { DashboardChannel, RunSummary } from '../../src/shared/webviewProtocol';
import { closeBrowser, openWebview, repo, resultsDir, until, type Webview } from './webviewHarness';

interface Series {
  label: string;
  points: number;
  lastX: number | null;
  lastY: number | null;
}

const fixtures = join(repo, 'test', 'webview', 'fixtures');
let runsDir: string;
const runs: RunSummary[] = [];
const exported: { csv?: string; png?: string } = {};

function records(id: string): MetricsRecord[] {
  return readFileSync(join(runsDir, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
}

before(() => {
  mkdirSync(resultsDir, { recursive: true });
  runsDir = mkdtempSync(join(tmpdir(), 'electra-dash-'));
  for (const id of ['run-a', 'run-b']) {
    mkdirSync(join(runsDir, id));
    copyFileSync(join(fixtures, `${id}.metrics.jsonl`), join(runsDir, id, 'metrics.jsonl'));
    runs.push({ id, dir: join(runsDir, id), state: 'idle', preset: 'micro', updated: 0 });
  }
});
after(async () => {
  await closeBrowser();
  rmSync(runsDir, { recursive: true, force: true });
});

/** The extension side, as dashboardView.ts answers: run folders read with MetricsTail. */
function serve(host: Webview<DashboardChannel>['host']): void {
  host.onRequest('listRuns', () => runs);
  host.onRequest('loadRuns', async ({ runIds }) =>
    Promise.all(runIds.map(async (runId) => ({ runId, records: (await new MetricsTail(join(runsDir, runId, 'metrics.jsonl')).read()).records }))),
  );
  host.onRequest('exportCsv', ({ csv }) => {
    exported.csv = csv;
    writeFileSync(join(resultsDir, 'dashboard-export.csv'), csv);
    return { savedTo: join(resultsDir, 'dashboard-export.csv') };
  });
  host.onRequest('exportPng', ({ dataUrl }) => {
    exported.png = dataUrl;
    writeFileSync(join(resultsDir, 'dashboard-export.png'), Buffer.from(dataUrl.split(',')[1], 'base64'));
    return { savedTo: join(resultsDir, 'dashboard-export.png') };
  });
}

async function series(view: Webview<DashboardChannel>, chart: string): Promise<Series[]> {
  const json = await view.page.getAttribute(`section[data-chart="${chart}"]`, 'data-series');
  return json ? (JSON.parse(json) as Series[]) : [];
}

let view: Webview<DashboardChannel>;

test('loads under its CSP and charts the newest run with every step and eval', async () => {
  view = await openWebview<DashboardChannel>('dashboard', { setup: serve });
  assert.match(view.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-[^']+'; style-src https:\/\/webview.test 'nonce-/);
  const csp = await view.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.ok(csp?.includes("img-src https://webview.test data:"));
  await until(async () => (await series(view, 'genLoss')).length === 2, 'run-a charted');
  const gen = await series(view, 'genLoss');
  const a = records('run-a');
  assert.deepEqual(gen.map((s) => [s.label, s.points]), [['run-a train', a.filter((r) => r.type === 'step').length], ['run-a eval', a.filter((r) => r.type === 'eval').length]]);
  for (const chart of ['discLoss', 'discAccuracy', 'f1', 'auc']) {
    const s = await series(view, chart);
    assert.equal(s.length, 2, chart);
    assert.ok(s.every((x) => x.points > 0 && Number.isFinite(x.lastY)), chart);
  }
  for (const chart of ['learningRate', 'tokensPerSec']) assert.deepEqual((await series(view, chart)).map((s) => s.label), ['run-a train']);
  assert.deepEqual(await view.cspViolations(), []);
  assert.deepEqual(view.consoleErrors, []);
  const posted = view.posted.map((m) => (m.kind === 'response' ? 'response' : m.method));
  assert.deepEqual(posted.slice(0, 3), ['ready', 'listRuns', 'loadRuns']);
});

test('smoothing changes the plotted values; 0 plots the raw ones', async () => {
  const steps = records('run-a').filter((r) => r.type === 'step');
  const lastRaw = steps[steps.length - 1].genLoss;
  await view.page.locator('#smoothing').fill('0');
  await until(async () => (await series(view, 'genLoss'))[0].lastY === lastRaw, 'unsmoothed value');
  await view.page.locator('#smoothing').fill('0.95');
  await until(async () => (await series(view, 'genLoss'))[0].lastY !== lastRaw, 'smoothed value');
  const smoothed = (await series(view, 'genLoss'))[0].lastY!;
  // The EMA of the last ~20 steps of a falling loss lies above the last raw value's noise band.
  assert.ok(Math.abs(smoothed - lastRaw) > 1e-6);
  const evals = await series(view, 'genLoss');
  assert.equal(evals[1].lastY, records('run-a').filter((r) => r.type === 'eval').at(-1)!.genLoss, 'eval series is not smoothed');
});

test('the wall-time axis plots minutes since the run started', async () => {
  await view.page.locator('#x-axis').selectOption('time');
  const a = records('run-a');
  const minutes = (a.at(-1)!.time - a[0].time) / 60_000;
  await until(async () => Math.abs(((await series(view, 'genLoss'))[1].lastX ?? -1) - minutes) < 1e-9, 'x in minutes');
  await view.page.locator('#x-axis').selectOption('step');
  await until(async () => (await series(view, 'genLoss'))[0].lastX === 200, 'x in steps');
});

test('compares runs: a second run gets its own colour and series', async () => {
  await view.page.locator('.run-list input[value="run-b"]').check();
  await until(async () => (await series(view, 'discLoss')).length === 4, 'two runs charted');
  const labels = (await series(view, 'discLoss')).map((s) => s.label);
  assert.deepEqual(labels, ['run-a train', 'run-a eval', 'run-b train', 'run-b eval']);
  const colours = await view.page.$$eval('.run-list .swatch', (els) => els.map((e) => getComputedStyle(e).backgroundColor));
  assert.equal(colours.length, 2);
  assert.notEqual(colours[0], colours[1]);
  const load = view.posted.filter((m) => m.kind === 'request' && m.method === 'loadRuns').at(-1);
  assert.deepEqual((load as { params: unknown }).params, { runIds: ['run-a', 'run-b'] });
});

test('live records appended by the extension are plotted', async () => {
  const last = records('run-b').filter((r) => r.type === 'step').at(-1)!;
  const more = [1, 2, 3].map((i) => ({ ...last, step: last.step + i, genLoss: 1 + i, time: last.time + i * 100 })) as MetricsRecord[];
  view.host.notify('metricsAppended', { runId: 'run-b', records: more });
  await until(async () => (await series(view, 'genLoss')).find((s) => s.label === 'run-b train')?.points === 123, 'appended points');
});

test('hovering a chart draws a tooltip', async () => {
  const canvas = view.page.locator('section[data-chart="genLoss"] canvas');
  const before = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
  const box = (await canvas.boundingBox())!;
  await view.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  await until(async () => (await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL())) !== before, 'tooltip drawn');
  await view.page.screenshot({ path: join(resultsDir, 'dashboard-tooltip.png') });
  await view.page.mouse.move(0, 0);
});

test('exports CSV of the raw records of the compared runs', async () => {
  await view.page.locator('#export-csv').click();
  await until(() => exported.csv !== undefined, 'exportCsv request');
  const lines = exported.csv!.trim().split('\r\n');
  assert.equal(lines[0], 'run,type,step,elapsedMs,time,genLoss,genAccuracy,discLoss,discAccuracy,precision,recall,f1,auc,replacedRate,loss,learningRate,gradNorm,tokensPerSec');
  assert.equal(lines.length, 1 + records('run-a').length + records('run-b').length + 3);
  const first = records('run-a')[0] as Extract<MetricsRecord, { type: 'step' }>;
  assert.ok(lines[1].startsWith(`run-a,step,1,${first.elapsedMs},${first.time},${first.genLoss},`));
  await until(async () => ((await view.page.textContent('.status')) ?? '').includes('dashboard-export.csv'), 'saved message');
});

test('exports a PNG of all charts', async () => {
  await view.page.locator('#export-png').click();
  await until(() => exported.png !== undefined, 'exportPng request');
  const png = Buffer.from(exported.png!.split(',')[1], 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 10_000);
});

test('restores the picked runs, smoothing and axis from saved state (hidden, then shown again)', async () => {
  await view.page.screenshot({ path: join(resultsDir, 'dashboard.png'), fullPage: true });
  const saved = (await view.state()) as { selectedRuns: string[]; smoothing: number; xAxis: string };
  assert.deepEqual(saved, { selectedRuns: ['run-a', 'run-b'], smoothing: 0.95, xAxis: 'step' });
  await view.close();
  // A webview view without retainContextWhenHidden loses its page; VS Code hands the new page the saved state.
  view = await openWebview<DashboardChannel>('dashboard', { setup: serve, state: saved });
  await until(async () => (await series(view, 'genLoss')).length === 4, 'both runs charted again');
  assert.equal(await view.page.inputValue('#smoothing'), '0.95');
  assert.equal(await view.page.locator('.run-list input:checked').count(), 2);
  await view.close();
});

test('a light theme recolours the charts (theme variables are read at run time)', async () => {
  view = await openWebview<DashboardChannel>('dashboard', { setup: serve, state: { selectedRuns: ['run-a'], smoothing: 0.6, xAxis: 'step' } });
  await until(async () => (await series(view, 'genLoss')).length === 2, 'charted');
  const canvas = view.page.locator('section[data-chart="genLoss"] canvas');
  const dark = await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL());
  await view.page.evaluate(() => {
    document.documentElement.style.setProperty('--vscode-descriptionForeground', '#616161');
    document.documentElement.style.setProperty('--vscode-charts-blue', '#1a85ff');
    document.body.className = 'vscode-light';
  });
  await until(async () => (await canvas.evaluate((c: HTMLCanvasElement) => c.toDataURL())) !== dark, 'recoloured');
  await view.close();
});

test('a run that starts training while the dashboard shows older runs is ticked, and its live records drawn', async () => {
  view = await openWebview<DashboardChannel>('dashboard', { setup: serve, state: { selectedRuns: ['run-a'], smoothing: 0.6, xAxis: 'step' } });
  await until(async () => (await series(view, 'genLoss')).length === 2, 'run-a charted');
  // The extension lists the new run once its folder has files (its first step): state 'training'.
  mkdirSync(join(runsDir, 'run-new'));
  const first = records('run-b').filter((r) => r.type === 'step').slice(0, 3);
  writeFileSync(join(runsDir, 'run-new', 'metrics.jsonl'), first.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const live: RunSummary = { id: 'run-new', dir: join(runsDir, 'run-new'), state: 'training', preset: 'micro', updated: 1 };
  view.host.notify('runsChanged', { runs: [live, ...runs] });
  await until(async () => (await series(view, 'genLoss')).some((s) => s.label === 'run-new train' && s.points === 3), 'the new run charted');
  assert.equal(await view.page.locator('.run-list input[value="run-new"]').isChecked(), true);
  assert.equal(await view.page.locator('.run-list input[value="run-a"]').isChecked(), true, 'the runs already shown stay');
  const next = first.map((r, i) => ({ ...r, step: r.step + 100 + i })) as MetricsRecord[];
  view.host.notify('metricsAppended', { runId: 'run-new', records: next });
  await until(async () => (await series(view, 'genLoss')).find((s) => s.label === 'run-new train')?.points === 6, 'live records of the new run');
  await view.close();
});
