// The dashboard in headless Chromium comparing an ELECTRA run and a masked-LM run of the
// micro preset at one FLOP budget (fixtures: real runs of `electra-studio pretrain --flops
// 1e10` on the Rust book, then `finetune --task pos`, one of them also `--from-scratch`):
// the training-FLOPs x axis, and the downstream-results panel.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FinetuneEvalMetrics, MetricsRecord, StepMetrics } from '../../src/shared/metricsRecord';
import { MetricsTail } from '../../src/extension/metricsTail';
import type { DashboardChannel, RunSummary } from '../../src/shared/webviewProtocol';
import { closeBrowser, openWebview, repo, resultsDir, until, type Webview } from './webviewHarness';

const fixtures = join(repo, 'test', 'webview', 'fixtures');
const ids = ['electra-micro', 'mlm-micro'];
let runsDir: string;
const runs: RunSummary[] = [];

function records(id: string): MetricsRecord[] {
  return readFileSync(join(runsDir, id, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MetricsRecord);
}

before(() => {
  mkdirSync(resultsDir, { recursive: true });
  runsDir = mkdtempSync(join(tmpdir(), 'electra-dash-flops-'));
  for (const id of ids) {
    mkdirSync(join(runsDir, id));
    copyFileSync(join(fixtures, `${id}.metrics.jsonl`), join(runsDir, id, 'metrics.jsonl'));
    runs.push({ id, dir: join(runsDir, id), state: 'idle', preset: 'micro', updated: 0 });
  }
});
after(async () => {
  await closeBrowser();
  rmSync(runsDir, { recursive: true, force: true });
});

function serve(host: Webview<DashboardChannel>['host']): void {
  host.onRequest('listRuns', () => runs);
  host.onRequest('loadRuns', async ({ runIds }) =>
    Promise.all(runIds.map(async (runId) => ({ runId, records: (await new MetricsTail(join(runsDir, runId, 'metrics.jsonl')).read()).records }))),
  );
}

async function series(view: Webview<DashboardChannel>, chart: string): Promise<Array<{ label: string; points: number; lastX: number | null }>> {
  const json = await view.page.getAttribute(`section[data-chart="${chart}"]`, 'data-series');
  return json ? JSON.parse(json) : [];
}

test('the training-FLOPs axis puts both objectives at equal compute; the downstream panel compares their fine-tuning', async () => {
  const view = await openWebview<DashboardChannel>('dashboard', { setup: serve, state: { selectedRuns: ids, smoothing: 0, xAxis: 'step' } });
  await until(async () => (await series(view, 'genLoss')).length === 4, 'both runs charted');
  const steps = (id: string) => records(id).filter((r): r is StepMetrics => r.type === 'step');
  // By step the masked LM runs further: it has no generator, so the same budget buys more steps.
  const byStep = await series(view, 'genLoss');
  assert.equal(byStep.find((s) => s.label === 'electra-micro train')!.lastX, steps('electra-micro').at(-1)!.step);
  assert.equal(byStep.find((s) => s.label === 'mlm-micro train')!.lastX, steps('mlm-micro').at(-1)!.step);
  assert.ok(steps('mlm-micro').length > steps('electra-micro').length);

  await view.page.locator('#x-axis').selectOption('flops');
  await until(async () => (await series(view, 'genLoss')).find((s) => s.label === 'electra-micro train')?.lastX === steps('electra-micro').at(-1)!.flops, 'x in FLOPs');
  const byFlops = await series(view, 'genLoss');
  for (const id of ids) {
    const last = steps(id).at(-1)!;
    assert.equal(byFlops.find((s) => s.label === `${id} train`)!.lastX, last.flops);
    // Held-out points sit at the FLOPs of their step.
    const lastEval = records(id).filter((r) => r.type === 'eval').at(-1)!;
    assert.equal(byFlops.find((s) => s.label === `${id} eval`)!.lastX, steps(id).find((s) => s.step === lastEval.step)!.flops);
    assert.ok(last.flops! >= 1e10 && last.flops! < 1.1e10, `${id} stopped at ${last.flops}`);
  }
  assert.match((await view.page.textContent('section[data-chart="genLoss"]')) ?? '', /Masked-LM loss/);
  // The masked LM has no discriminator: its charts show ELECTRA's run only.
  for (const chart of ['discLoss', 'auc']) assert.deepEqual((await series(view, chart)).map((s) => s.label), ['electra-micro train', 'electra-micro eval']);

  // Downstream: each encoder's last-epoch held-out accuracy on POS.
  const table = view.page.locator('#downstream');
  await until(async () => (await table.isVisible()) && (await table.locator('tr[data-task="pos"]').count()) === 3, 'three downstream rows');
  const rows = await table.locator('tr[data-task="pos"]').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
  const lastEval = (id: string, source: string) => records(id).filter((r): r is FinetuneEvalMetrics => r.type === 'finetuneEval' && r.source === source).at(-1)!;
  const expected = [
    ['electra-micro', 'ELECTRA', lastEval('electra-micro', 'pretrained')],
    ['electra-micro', 'no pre-training', lastEval('electra-micro', 'scratch')],
    ['mlm-micro', 'masked LM', lastEval('mlm-micro', 'pretrained')],
  ] as const;
  for (const [run, encoder, r] of expected) {
    const row = rows.find((cells) => cells[1] === run && cells[2] === encoder);
    assert.ok(row, `row for ${run} ${encoder}: ${JSON.stringify(rows)}`);
    assert.equal(row[4], `${(100 * r.accuracy).toFixed(2)} % accuracy`);
    assert.equal(row[3], r.pretrainFlops ? r.pretrainFlops.toExponential(2) : '—');
  }
  await view.page.screenshot({ path: join(resultsDir, 'dashboard-flops.png'), fullPage: true });
  assert.deepEqual(await view.cspViolations(), []);
  assert.deepEqual(view.consoleErrors, []);
  // Unpicking the runs hides the panel.
  for (const id of ids) await view.page.locator(`.run-list input[value="${id}"]`).uncheck();
  await until(async () => !(await table.isVisible()), 'panel hidden');
  await view.close();
});
