// The token-confidence view's bundle in headless Chromium: a chapter of the Rust book with
// scores shaped like the language server's electra/scoreDocument answer, then colours,
// the threshold, the alternatives tooltip, the click that reveals a token, and a long
// document rendered without blocking the page.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WEBVIEW_PROTOCOL_VERSION, type DocumentView, type TokensChannel, type TokenView } from '../../src/shared/webviewProtocol';
import { binColour, binOf } from '../../src/webview/tokens/colorRamp';
import { MarkdownProse } from '../../src/core/score/markdownProse';
import { closeBrowser, openWebview, repo, resultsDir, until, type Webview } from './webviewHarness';

const text = readFileSync(join(repo, 'test', 'fixtures', 'rust-book', 'ch09-00-error-handling.md'), 'utf8');

/**
 * Word and punctuation tokens with UTF-16 offsets, each given a repeatable probability, and
 * the chapter's code and markup marked as the language server marks them (markdownProse.ts).
 */
function tokenize(s: string): TokenView[] {
  const prose = new MarkdownProse(s);
  const out: TokenView[] = [];
  for (const m of s.matchAll(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)) {
    const i = out.length;
    // A spread over [0, 1]: mostly low, every 7th token high, as a trained model's scores look.
    const p = i % 7 === 3 ? 0.6 + ((i * 37) % 40) / 100 : ((i * 53) % 100) / 250;
    const token: TokenView = { start: m.index!, end: m.index! + m[0].length, piece: m[0].toLowerCase(), p };
    out.push(prose.isProse(token.start, token.end) ? token : { ...token, markup: true });
  }
  return out;
}

const tokens = tokenize(text);
const doc: DocumentView = { uri: 'file:///work/book/ch09-00-error-handling.md', fileName: 'ch09-00-error-handling.md', languageId: 'markdown', version: 3, text, tokens, checkpointStep: 200 };
let view: Webview<TokensChannel>;
const alternativeRequests: { offset: number; version: number }[] = [];

function rgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

before(async () => {
  mkdirSync(resultsDir, { recursive: true });
  view = await openWebview<TokensChannel>('tokens', {
    viewport: { width: 900, height: 800 },
    setup: (host) => {
      host.onNotification('ready', () => {
        host.notify('threshold', { value: 0.62, source: 'calibrated', falseFlagsPer1000: 5 });
        host.notify('document', doc);
      });
      host.onRequest('alternatives', async ({ offset, version }) => {
        alternativeRequests.push({ offset, version });
        const t = tokens.find((x) => x.start <= offset && offset < x.end);
        if (!t) return null;
        return { ...t, alternatives: [{ piece: 'result', probability: 0.42 }, { piece: 'error', probability: 0.17 }, { piece: '##s', probability: 0.05 }] };
      });
    },
  });
});
after(async () => {
  await view.close();
  await closeBrowser();
});

test('renders every token under the CSP, coloured by the viridis bin of its probability', async () => {
  await until(async () => (await view.page.getAttribute('#text', 'data-rendered')) === 'true', 'rendered');
  assert.equal(await view.page.locator('#text .t').count(), tokens.length);
  assert.equal(await view.page.textContent('#text'), text, 'the text is shown unchanged');
  for (const i of [3, 10, 24]) {
    const bg = await view.page.locator(`#text .t[data-i="${i}"]`).evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(bg, rgb(binColour(binOf(tokens[i].p))), `token ${i} (p=${tokens[i].p})`);
  }
  assert.match(view.html, /default-src 'none'; script-src 'nonce-/);
  assert.deepEqual(await view.cspViolations(), []);
  assert.deepEqual(view.consoleErrors, []);
  await view.page.screenshot({ path: join(resultsDir, 'tokens.png') });
});

test("the threshold starts at the editor's, says where it came from, and the slider outlines exactly the tokens at or above it", async () => {
  // Code and markup are never flagged, as in the editor.
  const count = (t: number): number => tokens.filter((x) => x.p >= t && !x.markup).length;
  assert.notEqual(count(0.62), count(0.5), 'the fixture has tokens between 0.5 and 0.62');
  assert.equal(await view.page.getAttribute('#text', 'data-flagged'), String(count(0.62)));
  assert.equal(await view.page.textContent('#threshold-source'), 'Threshold 0.62, calibrated for 5 false flags per 1,000 words (as the editor)');
  await view.page.locator('#threshold').fill('0.9');
  await until(async () => (await view.page.getAttribute('#text', 'data-flagged')) === String(count(0.9)), 'flag count at 0.9');
  const high = tokens.findIndex((t) => t.p >= 0.9 && !t.markup);
  const low = tokens.findIndex((t) => t.p < 0.9 && t.p >= 0.5);
  const code = tokens.findIndex((t) => t.p >= 0.9 && t.markup);
  assert.ok(code >= 0, 'the chapter has code scored above 0.9');
  const outline = (i: number) => view.page.locator(`#text .t[data-i="${i}"]`).evaluate((e) => getComputedStyle(e).outlineStyle);
  assert.equal(await outline(high), 'solid');
  assert.equal(await outline(low), 'none');
  assert.equal(await outline(code), 'none', 'code is never outlined');
  assert.ok(count(0.9) < tokens.filter((x) => x.p >= 0.9).length, 'and not counted');
  assert.ok(((await view.page.textContent('.info')) ?? '').includes(`${count(0.9)} at or above 0.90`));
  assert.deepEqual(view.posted.filter((m) => m.kind === 'notification' && m.method === 'thresholdChanged').at(-1), { v: WEBVIEW_PROTOCOL_VERSION, kind: 'notification', method: 'thresholdChanged', params: { value: 0.9 } });
  assert.deepEqual(await view.state(), { threshold: 0.9 });
  assert.equal(await view.page.textContent('#threshold-source'), 'Threshold 0.90, set with this slider; the editor flags at 0.62, calibrated for 5 false flags per 1,000 words');
  // The editor's threshold changing (a setting) does not move the user's slider; the legend says it.
  view.host.notify('threshold', { value: 0.3, source: 'setting' });
  await until(async () => ((await view.page.textContent('#threshold-source')) ?? '').includes('0.30, set by electraStudio.annotation.threshold'), 'the new editor threshold');
  assert.equal(await view.page.getAttribute('#text', 'data-flagged'), String(count(0.9)));
});

test('hovering a token shows its probability and the generator alternatives', async () => {
  const i = 3;
  await view.page.locator(`#text .t[data-i="${i}"]`).hover();
  await until(async () => ((await view.page.textContent('#tooltip')) ?? '').includes('42.0%'), 'alternatives in tooltip');
  const tip = (await view.page.textContent('#tooltip'))!;
  assert.ok(tip.includes(tokens[i].piece));
  assert.ok(tip.includes(`P(replaced) = ${tokens[i].p.toFixed(3)}`));
  assert.ok(tip.includes('result') && tip.includes('17.0%'));
  assert.deepEqual(alternativeRequests.at(-1), { offset: tokens[i].start, version: 3 });
  await view.page.screenshot({ path: join(resultsDir, 'tokens-tooltip.png') });
});

test('hovering code or markup says that it is never flagged', async () => {
  const i = tokens.findIndex((t) => t.markup);
  await view.page.locator(`#text .t[data-i="${i}"]`).hover();
  await until(async () => ((await view.page.textContent('#tooltip')) ?? '').includes('Code or markup: never flagged.'), 'the note in the tooltip');
  assert.ok((await view.page.textContent('#tooltip'))!.includes(`P(replaced) = ${tokens[i].p.toFixed(3)}`));
  const prose = tokens.findIndex((t, k) => k > i && !t.markup);
  await view.page.locator(`#text .t[data-i="${prose}"]`).hover();
  await until(async () => ((await view.page.textContent('#tooltip')) ?? '').includes(`P(replaced) = ${tokens[prose].p.toFixed(3)}`), 'the prose token in the tooltip');
  assert.ok(!(await view.page.textContent('#tooltip'))!.includes('never flagged'));
});

test('clicking a token asks the extension to select its range', async () => {
  const i = 24;
  await view.page.locator(`#text .t[data-i="${i}"]`).click();
  await until(() => view.posted.some((m) => m.kind === 'notification' && m.method === 'reveal'), 'reveal');
  const reveal = view.posted.filter((m) => m.kind === 'notification' && m.method === 'reveal').at(-1)!;
  assert.deepEqual((reveal as { params: unknown }).params, { uri: doc.uri, start: tokens[i].start, end: tokens[i].end });
});

test('a status from the extension replaces nothing but is shown', async () => {
  view.host.notify('status', { kind: 'error', message: 'No scores: no checkpoint loaded' });
  await until(async () => ((await view.page.textContent('.status')) ?? '').includes('no checkpoint'), 'status');
  assert.equal(await view.page.getAttribute('.status', 'class'), 'status error');
});

test('a long document (over 100k tokens) renders in chunks without long tasks', async () => {
  const book = join(repo, 'test', 'fixtures', 'rust-book');
  const chapters = readdirSync(book).filter((f) => f.endsWith('.md')).map((f) => readFileSync(join(book, f), 'utf8')).join('\n');
  const big = Array.from({ length: 25 }, () => chapters).join('\n');
  const bigTokens = tokenize(big);
  await view.page.evaluate(() => {
    const w = window as unknown as { __longest: number; __received: number };
    w.__longest = 0;
    window.addEventListener('message', () => (w.__received = performance.now()));
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longest = Math.max(w.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const started = Date.now();
  view.host.notify('document', { ...doc, version: 4, text: big, tokens: bigTokens });
  await until(async () => (await view.page.getAttribute('#text', 'data-version')) === '4', 'long document rendered', 60_000);
  const elapsed = Date.now() - started;
  const inPage = await view.page.evaluate(() => performance.now() - (window as unknown as { __received: number }).__received);
  assert.equal(await view.page.locator('#text .t').count(), bigTokens.length);
  const longest = await view.page.evaluate(() => (window as unknown as { __longest: number }).__longest);
  // One chunk (2000 tokens) per frame; the message itself is parsed in one go.
  assert.ok(bigTokens.length > 100_000, `${bigTokens.length} tokens`);
  assert.ok(longest < 1000, `longest task ${longest} ms`);
  // Moving the threshold on the long document restyles through one CSS rule.
  const t0 = Date.now();
  await view.page.locator('#threshold').fill('0.7');
  await until(async () => (await view.page.getAttribute('#text', 'data-flagged')) === String(bigTokens.filter((x) => x.p >= 0.7 && !x.markup).length), 'threshold on long doc');
  const thresholdMs = Date.now() - t0;
  console.log(`# ${bigTokens.length} tokens rendered ${elapsed} ms after posting (${inPage.toFixed(0)} ms after the page received them), longest task ${longest.toFixed(0)} ms, threshold move ${thresholdMs} ms`);
});

test('a 2 MB document: its text shows at once while it is scored, then the chunks on screen get their colours first', async () => {
  const book = join(repo, 'test', 'fixtures', 'rust-book');
  const chapters = readdirSync(book).filter((f) => f.endsWith('.md')).map((f) => readFileSync(join(book, f), 'utf8')).join('\n');
  const big = Array.from({ length: Math.ceil(2_000_000 / chapters.length) }, () => chapters).join('\n');
  const bigTokens = tokenize(big);
  // The extension sends the text alone first when the scores take a while.
  let started = Date.now();
  view.host.notify('document', { ...doc, version: 10, text: big, tokens: [], checkpointStep: 0, scoring: true });
  await until(async () => (await view.page.getAttribute('#text', 'data-shown-version')) === '10', 'the text before its scores', 60_000);
  const textMs = Date.now() - started;
  assert.equal(await view.page.evaluate(() => document.getElementById('text')!.textContent!.length), big.length);
  assert.match((await view.page.textContent('.status')) ?? '', /Scoring/);
  // The reader scrolls to the middle, then the scores come.
  await view.page.evaluate(() => {
    const box = document.getElementById('text')!;
    window.scrollTo(0, document.documentElement.scrollHeight / 2);
    const w = window as unknown as { __filled: number[]; __onScreen?: number[] };
    w.__filled = [];
    new MutationObserver((records) => {
      // The chunks on screen when the colours start coming (the first frame's).
      w.__onScreen ??= Array.from(box.querySelectorAll<HTMLElement>('.chunk'))
        .filter((d) => d.getBoundingClientRect().bottom > 0 && d.getBoundingClientRect().top < window.innerHeight)
        .map((d) => Number(d.dataset.c));
      for (const r of records) if (r.attributeName === 'data-filled') w.__filled.push(Number((r.target as HTMLElement).dataset.c));
    }).observe(box, { subtree: true, attributes: true, attributeFilter: ['data-filled'] });
  });
  started = Date.now();
  await view.page.evaluate(() => window.addEventListener('message', () => ((window as unknown as { __received: number }).__received = performance.now()), { once: true }));
  view.host.notify('document', { ...doc, version: 11, text: big, tokens: bigTokens });
  await until(async () => (await view.page.getAttribute('#text', 'data-version')) === '11', 'the scored document rendered', 120_000);
  const allMs = Date.now() - started;
  const inPageMs = await view.page.evaluate(() => performance.now() - (window as unknown as { __received: number }).__received);
  const { filled, onScreen, chunks, scrolled } = await view.page.evaluate(() => {
    const w = window as unknown as { __filled: number[]; __onScreen: number[] };
    return { filled: w.__filled, onScreen: w.__onScreen, chunks: document.querySelectorAll('#text .chunk').length, scrolled: window.scrollY };
  });
  console.log(`# ${(big.length / 1e6).toFixed(1)} MB, ${bigTokens.length} tokens in ${chunks} chunks: text shown ${textMs} ms after posting; all chunks coloured ${allMs} ms after posting the scores (${inPageMs.toFixed(0)} ms after the page received them); first chunks coloured ${filled.slice(0, 4).join(', ')}; on screen ${onScreen.join(', ')}`);
  assert.ok(bigTokens.length > 300_000 && chunks > 100);
  assert.equal(filled.length, chunks);
  assert.ok(scrolled > 0, 'the reader keeps their place when the scores come');
  // The first chunk coloured is one the reader sees, in the middle of the document, not the first.
  assert.ok(onScreen.includes(filled[0]), `first coloured chunk ${filled[0]}, on screen ${onScreen.join(', ')}`);
  assert.ok(filled[0] > chunks / 4, `first coloured chunk ${filled[0]} of ${chunks}`);
  assert.ok(onScreen.every((c) => filled.indexOf(c) < onScreen.length + 2), 'every chunk on screen is among the first coloured');
  assert.equal(await view.page.locator('#text .t').count(), bigTokens.length);
});
