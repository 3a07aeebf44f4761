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
 *
 * The untrained checkpoint flags nothing, so its code actions never ask for fixes. A third run
 * types with the shipped base model (models/base) at its calibrated threshold and asks for
 * code actions where a person's cursor would be on a squiggle: on the flagged token nearest the
 * cursor, with its diagnostic, as VS Code does for the light bulb. Those requests compute the
 * fixes (corrections.ts) and ask the model about swaps (swaps.ts) while keys keep coming.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodeActionRequest, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, HoverRequest, type Diagnostic } from 'vscode-languageserver-protocol';
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
  /** A trained model folder for the run whose code actions land on flagged tokens; absent: that run is left out. */
  trainedModel?: string;
}

/** What the runs differ in: the checkpoint and threshold served, and the requests sent after each key. */
interface TypingRun {
  name: string;
  checkpoint: string;
  /** null: the checkpoint's calibrated threshold (auto). */
  threshold: number | null;
  requests: 'none' | 'at the cursor' | 'on the nearest flag';
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
  /** Of the answered code actions: those sent for a flagged token, those offering an edit (not only "Ignore"), those offering a swap. */
  onFlags: number;
  withEdit: number;
  withSwap: number;
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

/** The published diagnostic nearest the cursor's line, within the lines an editor shows around it. */
function nearestFlag(diagnostics: readonly Diagnostic[], line: number): Diagnostic | undefined {
  let best: Diagnostic | undefined;
  for (const d of diagnostics) {
    const distance = Math.abs(d.range.start.line - line);
    if (distance <= VISIBLE_LINES / 2 && (!best || distance < Math.abs(best.range.start.line - line))) best = d;
  }
  return best;
}

async function measure(o: TypingOptions, run: TypingRun, text: string): Promise<TypingResult> {
  const withRequests = run.requests !== 'none';
  const client = Client.start(o.serverJs);
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(client.child.pid!))), 50);
  try {
    await client.initialize(
      { protocolVersion: ELECTRA_PROTOCOL_VERSION, checkpointPath: run.checkpoint, threshold: run.threshold, severity: 'information', ignoredWords: [], backend: o.backend },
      o.tmpDir,
    );
    await client.waitReady(120_000);
    const uri = `file://${o.tmpDir}/typing-${run.requests.replace(/ /g, '-')}.md`;
    let doc = TextDocument.create(uri, 'markdown', 1, text);
    const t0 = performance.now();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    const firstMs = (await client.diagnosticsOf(1, 900_000)) - t0;
    const before = await client.connection.sendRequest(StatsRequest);

    const rng = new Rng(12);
    const codeActionMs: number[] = [];
    let codeActionsCancelled = 0;
    const answers = { onFlags: 0, withEdit: 0, withSwap: 0 };
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
        const flag = run.requests === 'on the nearest flag' ? nearestFlag(client.latestDiagnostics.diagnostics, line) : undefined;
        const range = flag?.range ?? { start: position, end: position };
        previousCodeAction?.cancel();
        const cancel = (previousCodeAction = new CancellationTokenSource());
        const sent = performance.now();
        pending.push(
          client.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics: flag ? [flag] : [], only: ['quickfix'] } }, cancel.token).then(
            (actions) => {
              if (cancel.token.isCancellationRequested) return codeActionsCancelled++;
              codeActionMs.push(performance.now() - sent);
              if (!flag) return;
              answers.onFlags++;
              if (actions?.some((a) => 'edit' in a && a.edit)) answers.withEdit++;
              if (actions?.some((a) => a.title.startsWith('Swap to'))) answers.withSwap++;
            },
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
    return { firstMs, finalMs: finalAt - lastKey, codeActionMs, codeActionsCancelled, ...answers, hoverMs, peakRssMiB: peak, windowsComputed: after.windowsComputed - before.windowsComputed };
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
  console.log(`document: ${(text.length / 1e6).toFixed(2)} M characters of Brown text as Markdown (${text.split(/\n\s*\n/).length} blocks); backend ${o.backend}`);
  console.log(
    `typing: ${o.keys} keys ${KEY_INTERVAL_MS} ms apart, ${KEYS_PER_PLACE} at each of ${Math.ceil(o.keys / KEYS_PER_PLACE)} places, after the first diagnostics; ` +
      `with requests: after each key the visible ranges (${VISIBLE_LINES} lines), a code action and a hover nearby; baseline: the keys alone`,
  );
  const runs: TypingRun[] = [
    { name: 'keys + requests, tiny untrained (threshold 0.5)', checkpoint: runDir, threshold: 0.5, requests: 'at the cursor' },
    { name: 'keys only (baseline), tiny untrained', checkpoint: runDir, threshold: 0.5, requests: 'none' },
  ];
  if (o.trainedModel) {
    runs.push({ name: `keys + requests on flags, ${basename(o.trainedModel)} (calibrated threshold)`, checkpoint: o.trainedModel, threshold: null, requests: 'on the nearest flag' });
    console.log(`on flags: the code action asks for the flagged token nearest the cursor (within ${VISIBLE_LINES / 2} lines), with its diagnostic, as the light bulb does`);
  }
  console.log('');
  console.log(
    '| run | first diagnostics ms | last key -> final diagnostics ms | code action p50 / p95 / max ms (answered, cancelled by the next key) | on a flag: with an edit, with a swap | hover p50 / p95 / max ms | windows computed while typing | server RSS peak MiB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const results: Array<[TypingRun, TypingResult]> = [];
  for (const run of runs) {
    try {
      const r = await measure(o, run, text);
      results.push([run, r]);
      const ca = summarize(r.codeActionMs);
      const h = summarize(r.hoverMs);
      const fmt = (s: ReturnType<typeof summarize>) => (s.n > 0 ? `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)} / ${s.max.toFixed(0)}` : '-');
      const counts = run.requests !== 'none' ? ` (${ca.n}, ${r.codeActionsCancelled})` : '';
      const fixes = run.requests === 'on the nearest flag' ? `${r.onFlags}: ${r.withEdit}, ${r.withSwap}` : '-';
      console.log(`| ${run.name} | ${r.firstMs.toFixed(0)} | ${r.finalMs.toFixed(0)} | ${fmt(ca)}${counts} | ${fixes} | ${fmt(h)} | ${r.windowsComputed} | ${r.peakRssMiB.toFixed(0)} |`);
    } catch (e) {
      console.log(`| ${run.name} | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  for (const [run, r] of results.filter(([run]) => run.requests !== 'none')) {
    console.log('');
    console.log(`targets (issue 12), ${run.name}:`);
    console.log(`- final diagnostics: ${verdict(r.finalMs, TYPING_TARGETS.finalDiagnosticsMs, 'ms', 'last key ->')}`);
    console.log(`- hovers: ${verdict(summarize(r.hoverMs).p95, TYPING_TARGETS.hoverP95Ms, 'ms', 'p95')}`);
    console.log(`- server RSS: ${verdict(r.peakRssMiB, TYPING_TARGETS.serverRssMiB, 'MiB', 'peak')}`);
  }
}
