// The pure parts of the webviews and their HTML: EMA smoothing, chart series, CSV export,
// the colour ramp and its bins, chunking of long documents, and the CSP of the page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsRecord } from '../../src/core/train/metrics';
import { contentSecurityPolicy, makeNonce, renderWebviewHtml } from '../../src/extension/webviewHtml';
import { csvField, metricsToCsv } from '../../src/webview/dashboard/csv';
import { CHARTS, emaSmooth, seriesFor, splitRecords } from '../../src/webview/dashboard/series';
import { binColour, binOf, luminance, textColourOn, thresholdBin, viridis } from '../../src/webview/tokens/colorRamp';
import { chunkEnd, cleanTokens, CHUNK_TOKENS } from '../../src/webview/tokens/render';

const rec = (type: 'step' | 'eval', step: number, genLoss: number, time = 0): MetricsRecord => ({ type, step, genLoss, time }) as unknown as MetricsRecord;

test('emaSmooth: weight 0 is the identity, the first value is unbiased, constants stay constant', () => {
  assert.deepEqual(emaSmooth([3, 1, 2], 0), [3, 1, 2]);
  const s = emaSmooth([4, 4, 4, 4], 0.9);
  for (const v of s) assert.ok(Math.abs(v - 4) < 1e-12);
  const r = emaSmooth([10, 0], 0.5);
  assert.equal(r[0], 10);
  // (0.5*0.5*10 ... ) debiased: (0.25*10*... ) = (0.5*(0.5*10) + 0.5*0) / (1 - 0.25) = 2.5/0.75
  assert.ok(Math.abs(r[1] - 2.5 / 0.75) < 1e-12);
  assert.ok(Number.isNaN(emaSmooth([1, NaN, 1], 0.5)[1]));
});

test('series: step and eval records are split, de-duplicated by step, and x can be minutes', () => {
  const records = [rec('step', 2, 5, 120_000), rec('step', 1, 6, 60_000), rec('eval', 2, 5.5, 121_000), rec('step', 2, 4.5, 125_000)];
  const { steps, evals } = splitRecords(records);
  assert.deepEqual(steps.map((s) => [s.step, s.genLoss]), [[1, 6], [2, 4.5]]);
  assert.equal(evals.length, 1);
  const spec = CHARTS.find((c) => c.id === 'genLoss')!;
  assert.deepEqual(seriesFor(spec, records, 'step', 0), { train: [{ x: 1, y: 6 }, { x: 2, y: 4.5 }], eval: [{ x: 2, y: 5.5 }] });
  const t = seriesFor(spec, records, 'time', 0);
  assert.deepEqual(t.train.map((p) => p.x), [0, 65_000 / 60_000]);
  assert.deepEqual(t.eval.map((p) => p.x), [61_000 / 60_000]);
  assert.equal(seriesFor(CHARTS.find((c) => c.id === 'learningRate')!, records, 'step', 0).eval.length, 0);
});

test('CSV: header, one row per record, quoting and non-finite numbers', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField(NaN), 'nan');
  assert.equal(csvField(-Infinity), '-inf');
  assert.equal(csvField(undefined), '');
  const csv = metricsToCsv([{ runId: 'run,1', records: [rec('step', 1, 6.5, 10), rec('eval', 1, 6.25, 11)] }]);
  const lines = csv.split('\r\n');
  assert.equal(lines.length, 4); // header, 2 rows, trailing empty
  assert.ok(lines[0].startsWith('run,type,step,elapsedMs,time,genLoss,'));
  assert.ok(lines[1].startsWith('"run,1",step,1,,10,6.5,'));
  assert.ok(lines[2].startsWith('"run,1",eval,1,,11,6.25,'));
});

test('viridis: ends of the ramp, monotone luminance, readable text colour', () => {
  assert.equal(viridis(0), '#440154');
  assert.equal(viridis(1), '#fde725');
  assert.equal(viridis(-1), '#440154');
  assert.equal(viridis(NaN), '#440154');
  let last = -1;
  for (let k = 0; k < 101; k++) {
    const l = luminance(binColour(k));
    assert.ok(l >= last, `luminance rises at bin ${k}`);
    last = l;
  }
  assert.equal(textColourOn(viridis(0)), '#ffffff');
  assert.equal(textColourOn(viridis(1)), '#000000');
});

test('bins split exactly at thresholds given in hundredths', () => {
  assert.equal(binOf(0), 0);
  assert.equal(binOf(1), 100);
  assert.equal(binOf(0.999), 99);
  assert.equal(binOf(NaN), 0);
  for (let k = 0; k <= 100; k++) {
    const t = k / 100;
    for (const p of [t - 1e-7, t, t + 1e-7, 0.505, 0.999999]) {
      if (p < 0 || p > 1) continue;
      assert.equal(binOf(p) >= thresholdBin(t), p >= t, `p=${p} t=${t}`);
    }
  }
});

test('tokens are cleaned (sorted, no overlaps, inside the text) and chunks end at line ends', () => {
  const cleaned = cleanTokens([{ start: 5, end: 8, piece: 'c', p: 0 }, { start: 0, end: 3, piece: 'a', p: 0 }, { start: 2, end: 4, piece: 'x', p: 0 }, { start: 9, end: 99, piece: 'z', p: 0 }], 20);
  assert.deepEqual(cleaned.map((t) => t.piece), ['a', 'c']);
  const line = 'w '.repeat(10) + '\n';
  const text = line.repeat(1000);
  const tokens = [...text.matchAll(/w/g)].map((m) => ({ start: m.index!, end: m.index! + 1, piece: 'w', p: 0.5 }));
  const [to, textTo] = chunkEnd(text, tokens, 0);
  assert.ok(to >= CHUNK_TOKENS && to % 10 === 0, `chunk of ${to} tokens`);
  assert.equal(text[textTo - 1], '\n');
  assert.equal(textTo, tokens[to].start);
  assert.deepEqual(chunkEnd(text, tokens, tokens.length - 5), [tokens.length, text.length]);
});

test('webview HTML: strict CSP with a fresh nonce on every script and the dynamic style element', () => {
  const n1 = makeNonce();
  assert.match(n1, /^[A-Za-z0-9]{20,}$/);
  assert.notEqual(n1, makeNonce());
  assert.equal(
    contentSecurityPolicy('vscode-resource:', 'abc'),
    "default-src 'none'; script-src 'nonce-abc'; style-src vscode-resource: 'nonce-abc'; img-src vscode-resource: data:; font-src vscode-resource:",
  );
  const html = renderWebviewHtml({ cspSource: 'https://x.test', title: 'T<', scriptUri: 'https://x.test/a.js?x="1"', styleUris: ['https://x.test/a.css'], body: '<div id="app"></div>', nonce: 'N0' });
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-N0';`));
  assert.ok(html.includes('<script nonce="N0" src="https://x.test/a.js?x=&quot;1&quot;"></script>'));
  assert.ok(html.includes('<style nonce="N0" id="dynamic-style"></style>'));
  assert.ok(html.includes('<title>T&lt;</title>'));
  assert.ok(!/<script(?![^>]*nonce="N0")/.test(html), 'every script carries the nonce');
  assert.ok(!/https?:\/\/(?!x\.test)/.test(html), 'no remote resources');
});
