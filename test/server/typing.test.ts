/**
 * The language server keeps up with typing in a large document (issue 12, defect 1), over
 * its real protocol: dist/server.js with --stdio, a micro checkpoint trained on the committed
 * rust-book chapters, and a document of about half a megabyte of those chapters.
 *
 * The old server started a whole-document scoring for each request on a newly edited
 * version, and the next edit abandoned it: during a burst of edits with a request after each
 * no request was answered until the burst ended. The server now answers a request from the
 * windows already scored, scoring only the window it touches, and carries the document's
 * scored windows over every edit.
 *
 * Bounds are generous (CI machines have two shared cores); the old behaviour misses them
 * by far (see the figures each test prints).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CodeActionRequest, HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DIAGNOSTIC_CAP_CODE, DIAGNOSTIC_CODE, ELECTRA_PROTOCOL_VERSION, ScoreDocumentRequest, StatsRequest, type ReplacedTokenData } from '../../src/shared/lspProtocol';
import { fixtureCorpus, repoRoot, train } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 120_000;
/** Characters of the large document. */
const LARGE_CHARS = 500_000;
const EDITS = 40;
const EDIT_INTERVAL_MS = 90;

let tmp: string;
let runDir: string;
let client: TestLspClient;

/**
 * The rust-book chapters again and again, each paragraph numbered, so that no two scoring
 * windows are the same text (the server's cache would otherwise make repeats free).
 */
function largeDocument(chars: number): string {
  const chapters = readdirSync(fixtureCorpus).sort().map((f) => readFileSync(join(fixtureCorpus, f), 'utf8'));
  const out: string[] = [];
  let size = 0;
  for (let n = 0; size < chars; n++) {
    for (const para of chapters[n % chapters.length].split(/\n\s*\n/)) {
      const p = `Part ${n} ${out.length}: ${para.trim()}\n\n`;
      out.push(p);
      size += p.length;
      if (size >= chars) break;
    }
  }
  return out.join('');
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'electra-typing-test-'));
  runDir = join(tmp, 'run');
  await train({ corpus: fixtureCorpus, out: runDir, steps: 20 });
  client = TestLspClient.start(serverJs, 'stdio');
  await client.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, checkpointPath: runDir, threshold: 0.3, severity: 'information', ignoredWords: [] }, tmp);
  await client.waitForStatus((s) => s.state === 'ready', T, 'the checkpoint to load');
});

after(async () => {
  if (client) await client.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const smallUri = 'file:///workspace/small.md';
const largeUri = 'file:///workspace/large.md';
let large: TextDocument;
let finalDiagnostics: { diagnostics: Diagnostic[] };

test('a burst of edits with a code action after each: requests answered during the burst, final diagnostics soon after it', async () => {
  const small = readFileSync(join(fixtureCorpus, 'ch08-00-common-collections.md'), 'utf8');
  await client.open(smallUri, 'markdown', 1, small);
  await client.waitForDiagnostics(smallUri, (p) => p.version === 1, T, 'diagnostics of the small document');

  const text = largeDocument(LARGE_CHARS);
  large = TextDocument.create(largeUri, 'markdown', 1, text);
  let started = Date.now();
  await client.open(largeUri, 'markdown', 1, text);
  await client.waitForDiagnostics(largeUri, (p) => p.version === 1, T * 3, 'first diagnostics of the large document');
  const firstMs = Date.now() - started;
  const stats0 = await client.connection.sendRequest(StatsRequest);

  // Edits spread over the document (each types a word into another paragraph), a code action at each edit.
  const answered: Array<{ sent: number; at: number }> = [];
  const pending: Promise<unknown>[] = [];
  let smallHoverMs = -1;
  started = Date.now();
  for (let i = 0; i < EDITS; i++) {
    const words = [...large.getText().matchAll(/ [a-z]{5,} /g)];
    const w = words[Math.floor(((i + 0.5) * words.length) / EDITS)];
    const at = w.index! + 1;
    const change = { range: { start: large.positionAt(at), end: large.positionAt(at) }, text: 'very ' };
    large = TextDocument.update(large, [change], i + 2);
    await client.change(largeUri, i + 2, [change]);
    const sent = Date.now();
    const range = { start: large.positionAt(at), end: large.positionAt(at + 4) };
    pending.push(
      client.connection
        .sendRequest(CodeActionRequest.type, { textDocument: { uri: largeUri }, range, context: { diagnostics: [], only: ['quickfix'] } })
        .then(() => answered.push({ sent, at: Date.now() })),
    );
    if (i === EDITS / 2) {
      const hoverSent = Date.now();
      pending.push(
        client.connection
          .sendRequest(HoverRequest.type, { textDocument: { uri: smallUri }, position: { line: 2, character: 5 } })
          .then(() => (smallHoverMs = Date.now() - hoverSent)),
      );
    }
    await new Promise((r) => setTimeout(r, EDIT_INTERVAL_MS));
  }
  const lastEdit = Date.now();
  const final = EDITS + 1;
  finalDiagnostics = await client.waitForDiagnostics(largeUri, (p) => p.version === final, T * 3, `diagnostics of the final version ${final}`);
  const finalMs = Date.now() - lastEdit;
  await Promise.all(pending);
  const stats = await client.connection.sendRequest(StatsRequest);

  const latencies = answered.map((a) => a.at - a.sent).sort((a, b) => a - b);
  const duringBurst = answered.filter((a) => a.at < lastEdit).length;
  console.log(
    `# ${large.getText().length} chars: first diagnostics ${firstMs} ms; burst of ${EDITS} edits ${lastEdit - started} ms; ` +
      `code actions answered during the burst ${duringBurst}/${EDITS}, latency p50 ${latencies[Math.floor(EDITS / 2)]} ms, max ${latencies.at(-1)} ms; ` +
      `small document's hover ${smallHoverMs} ms; final diagnostics ${finalMs} ms after the last edit; ` +
      `windows computed during the burst ${stats.windowsComputed - stats0.windowsComputed}`,
  );
  assert.equal(answered.length, EDITS);
  // The old server answered none while the edits went on.
  assert.ok(duringBurst >= EDITS / 2, `${duringBurst} of ${EDITS} code actions answered while the edits went on`);
  assert.ok(latencies[Math.floor(EDITS / 2)] < 2_000, `code action p50 ${latencies[Math.floor(EDITS / 2)]} ms`);
  assert.ok(smallHoverMs >= 0 && smallHoverMs < 5_000, `the small document's hover took ${smallHoverMs} ms`);
  assert.ok(finalMs < 10_000, `final diagnostics ${finalMs} ms after the last edit`);
  // Scored windows carry over: the burst computed the edited windows, not the document again.
  const windows = stats.windowsComputed - stats0.windowsComputed;
  assert.ok(windows <= EDITS * 4, `${windows} windows computed for ${EDITS} one-word edits`);
});

test('a hover on a document being scored for the first time is answered from one window', async () => {
  const uri = 'file:///workspace/fresh.md';
  const text = largeDocument(LARGE_CHARS).replace(/ the /g, ' that ');
  const doc = TextDocument.create(uri, 'markdown', 1, text);
  const before = await client.connection.sendRequest(StatsRequest);
  await client.open(uri, 'markdown', 1, text);
  const offset = text.lastIndexOf(' ownership ') + 3; // near the end: the scheduler gets there last
  const started = Date.now();
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: doc.positionAt(offset) });
  const ms = Date.now() - started;
  const after = await client.connection.sendRequest(StatsRequest);
  console.log(`# hover near the end of a fresh ${text.length}-char document: ${ms} ms, ${after.windowsComputed - before.windowsComputed} windows computed by then`);
  assert.ok(hover, 'a hover');
  assert.ok(ms < 5_000, `hover took ${ms} ms`);
  assert.equal(after.scorings, before.scorings, 'answered before the document was complete');
  await client.waitForDiagnostics(uri, (p) => p.version === 1, T * 3, 'diagnostics of the fresh document');
});

test('diagnostics are capped per document: the most likely replaced kept, and a note that says so', async () => {
  assert.equal(finalDiagnostics.diagnostics[0].code, DIAGNOSTIC_CAP_CODE, finalDiagnostics.diagnostics[0].message);
  assert.match(finalDiagnostics.diagnostics[0].message, /only the 500 most likely replaced are shown/);
  const kept = finalDiagnostics.diagnostics.slice(1);
  assert.equal(kept.length, 500);
  assert.ok(kept.every((d: Diagnostic) => d.code === DIAGNOSTIC_CODE));
  // The 500 kept are the most likely replaced of all the tokens of prose of that version (code and markup are never flagged), in document order.
  const all = (await client.connection.sendRequest(ScoreDocumentRequest, { uri: largeUri })).tokens.filter((t) => !t.markup);
  assert.equal(all.length > 0, true);
  const ps = kept.map((d) => (d.data as ReplacedTokenData).p);
  const cut = all.map((t) => t.p).sort((a, b) => b - a)[499];
  assert.ok(Math.min(...ps) >= cut - 1e-6, `the lowest kept p ${Math.min(...ps)} is below the 500th highest ${cut}`);
  const starts = kept.map((d) => d.range.start.line * 1e6 + d.range.start.character);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'document order');
});
