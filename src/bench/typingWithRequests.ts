/**
 * Typing with requests in a large document (issue 12, defect 1), over the language server's
 * real protocol: dist/server.js with --stdio, the `tiny` preset (untrained weights: time and
 * memory do not depend on them), a 1 MB Markdown document of Brown text.
 *
 * After the document's first diagnostics, keys are typed every 90 ms into a few places of
 * the document, and after each key the client sends what VS Code sends: the visible ranges
 * around the cursor, a code-action request at the cursor (cancelling the previous key's, as
 * VS Code does when the cursor moves), and a hover nearby. Measured:
 *
 *   final diagnostics   last key -> publishDiagnostics of the final version
 *   code action, hover  request -> response, each
 *   server RSS          peak of the server process's resident set (/proc/PID/status)
 *
 * Baseline in the same run: the same keys without the requests.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeActionRequest, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { BackendPreference } from '../core/wasm/backend';
import { Rng } from '../core/common/random';
import { ELECTRA_PROTOCOL_VERSION, StatsRequest, VisibleRangesNotification } from '../shared/lspProtocol';
import { brownVocabulary, untrainedCheckpoint } from './fixtures';
import { brownMarkdown, Client } from './lspLatency';
import { describeMachine, summarize, verdict } from './machine';

export interface TypingOptions {
  serverJs: string;
  tmpDir: string;
  backend: BackendPreference;
  /** Size of the document, characters. */
  chars: number;
  keys: number;
}

/** Targets from issue 12. */
export const TYPING_TARGETS = { finalDiagnosticsMs: 2000, hoverP95Ms: 100, serverRssMiB: 600 };
const KEY_INTERVAL_MS = 90;
/** Keys typed at one place before the cursor moves to another part of the document. */
const KEYS_PER_PLACE = 15;
/** Lines an editor shows around the cursor. */
const VISIBLE_LINES = 40;

interface TypingResult {
  firstMs: number;
  finalMs: number;
  codeActionMs: number[];
  /** Code actions cancelled by the next key before their answer came. */
  codeActionsCancelled: number;
  hoverMs: number[];
  peakRssMiB: number;
  windowsComputed: number;
}

/** Resident set of process `pid` in MiB (Linux), or NaN where /proc is missing. */
function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

async function measure(o: TypingOptions, runDir: string, text: string, withRequests: boolean): Promise<TypingResult> {
  const client = Client.start(o.serverJs);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(client.child.pid!))), 50);
  try {
    await client.initialize(
      { protocolVersion: ELECTRA_PROTOCOL_VERSION, checkpointPath: runDir, threshold: 0.5, severity: 'information', ignoredWords: [], backend: o.backend },
      o.tmpDir,
    );
    await client.waitReady(120_000);
    const uri = `file://${o.tmpDir}/typing-${withRequests ? 'requests' : 'baseline'}.md`;
    let doc = TextDocument.create(uri, 'markdown', 1, text);
    const t0 = performance.now();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    const firstMs = (await client.diagnosticsOf(1, 900_000)) - t0;
    const before = await client.connection.sendRequest(StatsRequest);

    const rng = new Rng(12);
    const codeActionMs: number[] = [];
    let codeActionsCancelled = 0;
    let previousCodeAction: CancellationTokenSource | undefined;
    const hoverMs: number[] = [];
    const pending: Promise<unknown>[] = [];
    let cursor = 0;
    let lastKey = 0;
    const word = 'quickly ';
    for (let k = 0; k < o.keys; k++) {
      if (k % KEYS_PER_PLACE === 0) {
        // A new place: after a word somewhere in the document.
        const at = Math.floor(rng.next() * doc.getText().length);
        cursor = doc.getText().indexOf(' ', at) + 1 || 1;
      }
      const version = doc.version + 1;
      const change = { range: { start: doc.positionAt(cursor), end: doc.positionAt(cursor) }, text: word[k % word.length] };
      doc = TextDocument.update(doc, [change], version);
      cursor++;
      lastKey = performance.now();
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [change] });
      if (withRequests) {
        const line = doc.positionAt(cursor).line;
        await client.connection.sendNotification(VisibleRangesNotification, {
          uri,
          ranges: [{ start: { line: Math.max(0, line - VISIBLE_LINES / 2), character: 0 }, end: { line: line + VISIBLE_LINES / 2, character: 0 } }],
        });
        const position = doc.positionAt(cursor);
        previousCodeAction?.cancel();
        const cancel = (previousCodeAction = new CancellationTokenSource());
        const sent = performance.now();
        pending.push(
          client.connection
            .sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [], only: ['quickfix'] } }, cancel.token)
            .then(
              () => (cancel.token.isCancellationRequested ? codeActionsCancelled++ : codeActionMs.push(performance.now() - sent)),
              () => codeActionsCancelled++,
            ),
        );
        // The mouse rests on a word a few lines away.
        const near = doc.getText().indexOf(' ', Math.min(doc.getText().length - 1, cursor + 200 + Math.floor(rng.next() * 1500))) + 1;
        const hoverSent = performance.now();
        pending.push(
          client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: doc.positionAt(near) }).then(() => hoverMs.push(performance.now() - hoverSent)),
        );
      }
      await new Promise((r) => setTimeout(r, KEY_INTERVAL_MS));
    }
    const finalAt = await client.diagnosticsOf(doc.version, 900_000);
    await Promise.all(pending);
    const after = await client.connection.sendRequest(StatsRequest);
    return { firstMs, finalMs: finalAt - lastKey, codeActionMs, codeActionsCancelled, hoverMs, peakRssMiB: peak, windowsComputed: after.windowsComputed - before.windowsComputed };
  } finally {
    clearInterval(sampler);
    await client.stop();
  }
}

export async function runTypingWithRequests(o: TypingOptions): Promise<void> {
  console.log(`machine: ${describeMachine()}`);
  const text = brownMarkdown(Math.round(o.chars / 6)).slice(0, o.chars);
  const vocabText = brownVocabulary(8192);
  const runDir = join(o.tmpDir, 'run-tiny');
  mkdirSync(runDir, { recursive: true });
  untrainedCheckpoint(runDir, 'tiny', vocabText, {}, 0.15);
  console.log(`document: ${(text.length / 1e6).toFixed(2)} M characters of Brown text as Markdown (${text.split(/\n\s*\n/).length} blocks); preset tiny (untrained), backend ${o.backend}, threshold 0.5`);
  console.log(
    `typing: ${o.keys} keys ${KEY_INTERVAL_MS} ms apart, ${KEYS_PER_PLACE} at each of ${Math.ceil(o.keys / KEYS_PER_PLACE)} places, after the first diagnostics; ` +
      `with requests: after each key the visible ranges (${VISIBLE_LINES} lines), a code action at the cursor and a hover nearby; baseline: the keys alone`,
  );
  console.log('');
  console.log('| run | first diagnostics ms | last key -> final diagnostics ms | code action p50 / p95 / max ms (answered, cancelled by the next key) | hover p50 / p95 / max ms | windows computed while typing | server RSS peak MiB |');
  console.log('|---|---|---|---|---|---|---|');
  const results: Array<[string, TypingResult]> = [];
  for (const [name, withRequests] of [
    ['keys + requests', true],
    ['keys only (baseline)', false],
  ] as const) {
    try {
      const r = await measure(o, runDir, text, withRequests);
      results.push([name, r]);
      const ca = summarize(r.codeActionMs);
      const h = summarize(r.hoverMs);
      const fmt = (s: ReturnType<typeof summarize>) => (s.n > 0 ? `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)} / ${s.max.toFixed(0)}` : '-');
      const counts = withRequests ? ` (${ca.n}, ${r.codeActionsCancelled})` : '';
      console.log(`| ${name} | ${r.firstMs.toFixed(0)} | ${r.finalMs.toFixed(0)} | ${fmt(ca)}${counts} | ${fmt(h)} | ${r.windowsComputed} | ${r.peakRssMiB.toFixed(0)} |`);
    } catch (e) {
      console.log(`| ${name} | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  const withRequests = results.find(([n]) => n === 'keys + requests')?.[1];
  if (withRequests) {
    console.log('');
    console.log(`targets (issue 12), keys + requests on tiny:`);
    console.log(`- final diagnostics: ${verdict(withRequests.finalMs, TYPING_TARGETS.finalDiagnosticsMs, 'ms', 'last key ->')}`);
    console.log(`- hovers: ${verdict(summarize(withRequests.hoverMs).p95, TYPING_TARGETS.hoverP95Ms, 'ms', 'p95')}`);
    console.log(`- server RSS: ${verdict(withRequests.peakRssMiB, TYPING_TARGETS.serverRssMiB, 'MiB', 'peak')}`);
  }
}
