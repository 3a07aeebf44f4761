/**
 * Annotation latency of the language server, measured over its real protocol: dist/server.js
 * started with --stdio (vscode-languageclient speaks the same JSON-RPC over IPC), a 2,000-word
 * Markdown document of Brown text opened, then one-word edits sent as incremental didChange.
 *
 *   first scoring   didOpen -> publishDiagnostics of version 1 (every window computed)
 *   edit latency    didChange -> publishDiagnostics of that version, as the client sees it:
 *                   the server's debounce, scoring and transport included
 *
 * The checkpoints are untrained (fixtures.ts): latency does not depend on the weights.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  type Diagnostic,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { BackendPreference } from '../core/wasm/backend';
import type { PresetName } from '../core/model/presets';
import { Rng } from '../core/common/random';
import {
  ELECTRA_PROTOCOL_VERSION,
  ScoreDocumentRequest,
  StatsRequest,
  StatusNotification,
  type InitializationOptions,
  type StatsResult,
  type StatusParams,
} from '../shared/lspProtocol';
import { findLatestCheckpoint } from '../core/run/checkpoint';
import { brownDocuments, brownVocabulary, untrainedCheckpoint } from './fixtures';
import { describeMachine, summarize, verdict } from './machine';

export interface LatencyOptions {
  serverJs: string;
  tmpDir: string;
  presets: PresetName[];
  backend: BackendPreference;
  /** Words in the document. */
  words: number;
  edits: number;
}

/** The untrained checkpoints' scores are centred on this rate, as a trained model's are (fixtures.ts). */
const REPLACED_RATE = 0.15;

/** Pause before each edit: longer than the server's typing debounce (150 ms), as between separate edits. */
const EDIT_PAUSE_MS = 300;
/** Typing: keys this far apart (about 100 words a minute), words typed. */
const TYPING_KEY_MS = 60;
const TYPING_WORDS = 5;

/** Targets from issue 4: p95 of edit -> diagnostics. */
export const LATENCY_TARGET_MS: Partial<Record<PresetName, number>> = { tiny: 50, small: 300 };

/**
 * A Markdown document of `words` words of Brown text: a title, then paragraphs of
 * consecutive Brown documents (from several genres), with a section heading every few
 * paragraphs. The last paragraph is cut so that the count is exact.
 */
export function brownMarkdown(words: number, firstDoc = 40): string {
  const docs = brownDocuments();
  const out: string[] = ['# Notes on the Brown corpus', ''];
  let count = 5; // the title's words
  let paragraphs = 0;
  for (let d = firstDoc; count < words; d = (d + 37) % docs.length) {
    out.push(`## ${docs[d].id}`, '');
    count += 1; // the heading's word (its '##' is markup)
    for (const para of docs[d].text.split(/\n\s*\n/)) {
      if (count >= words) break;
      // Brown keeps one sentence per line; a Markdown paragraph reads the same either way.
      const ws = para.trim().split(/\s+/).filter(Boolean);
      if (ws.length === 0) continue;
      const take = ws.slice(0, words - count);
      out.push(take.join(' '), '');
      count += take.length;
      if (++paragraphs % 6 === 0) break; // next document, next heading
    }
  }
  return out.join('\n');
}

/** A minimal LSP client over stdio, like vscode-languageclient's (and test/server/lspClient.ts). */
export class Client {
  private diagnosticWaiters = new Map<number, (at: number) => void>();
  readonly diagnosticsAt = new Map<number, number>();
  readonly diagnosticCount = new Map<number, number>();
  /** The diagnostics of the newest version published, as an editor holds them. */
  latestDiagnostics: { version: number; diagnostics: Diagnostic[] } = { version: -1, diagnostics: [] };
  status: StatusParams = { state: 'no-checkpoint' };
  private statusWaiters: Array<() => void> = [];
  stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  static start(serverJs: string): Client {
    const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const c = new Client(child, connection);
    child.stderr!.on('data', (d: Buffer) => (c.stderr = (c.stderr + d.toString()).slice(-4000)));
    connection.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => {
      const at = performance.now();
      if (p.version === undefined) return;
      c.diagnosticsAt.set(p.version, at);
      c.diagnosticCount.set(p.version, p.diagnostics.length);
      if (p.version > c.latestDiagnostics.version) c.latestDiagnostics = { version: p.version, diagnostics: p.diagnostics };
      c.diagnosticWaiters.get(p.version)?.(at);
    });
    connection.onNotification(StatusNotification, (s) => {
      c.status = s;
      for (const w of c.statusWaiters.splice(0)) w();
    });
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    return c;
  }

  async initialize(options: InitializationOptions, rootPath: string): Promise<void> {
    await this.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: `file://${rootPath}`,
      capabilities: {
        workspace: { configuration: true },
        textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } },
      },
      initializationOptions: options,
      workspaceFolders: null,
    });
    await this.connection.sendNotification(InitializedNotification.type, {});
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.status.state !== 'ready') {
      if (this.status.state === 'error') throw new Error(`the server could not load the checkpoint: ${this.status.message}`);
      if (Date.now() > deadline) throw new Error(`no checkpoint loaded after ${timeoutMs} ms (state ${this.status.state}); server stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 250);
        this.statusWaiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Resolves with the time the diagnostics of `version` arrived. */
  diagnosticsOf(version: number, timeoutMs: number): Promise<number> {
    const seen = this.diagnosticsAt.get(version);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.diagnosticWaiters.delete(version);
        reject(new Error(`no diagnostics for version ${version} after ${timeoutMs} ms; server stderr: ${this.stderr}`));
      }, timeoutMs);
      this.diagnosticWaiters.set(version, (at) => {
        clearTimeout(t);
        this.diagnosticWaiters.delete(version);
        resolve(at);
      });
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 5000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      /* already gone */
    }
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
    this.connection.dispose();
  }
}

export interface LatencyResult {
  preset: PresetName;
  words: number;
  tokens: number;
  firstMs: number;
  edits: number[];
  windowsPerEdit: number;
  windowsTotal: number;
  /** Diagnostics per publish (mean over the edits). */
  diagnostics: number;
  /** Server-side time in Scorer.score per edit (electra/stats scoringMs), when the server reports it. */
  serverMs: number[];
  /** Windows the server computed for each edit (electra/stats). */
  windows: number[];
  /** Typing: last key -> diagnostics of the typed word's last version. */
  typing: number[];
}

/**
 * One-word edits at varied places: each replaces a word of the current text with a word
 * taken from elsewhere in the document (so the vocabulary stays that of the text).
 */
function oneWordEdit(doc: TextDocument, rng: Rng, i: number, n: number): { start: number; end: number; text: string } {
  const text = doc.getText();
  const words = [...text.matchAll(/[A-Za-z]{3,}/g)];
  // Spread over the document: the i-th edit in the i-th n-th of it, at a random word there.
  const lo = Math.floor((i * words.length) / n);
  const hi = Math.max(lo + 1, Math.floor(((i + 1) * words.length) / n));
  const target = words[lo + rng.int(hi - lo)];
  let replacement = target[0];
  for (let tries = 0; tries < 20 && replacement.toLowerCase() === target[0].toLowerCase(); tries++) replacement = words[rng.int(words.length)][0];
  return { start: target.index!, end: target.index! + target[0].length, text: replacement };
}

/** `runDir`: a run to score with (importedLatency.ts); by default an untrained checkpoint of `preset`. */
export async function measureLatency(preset: PresetName, vocabText: string, o: LatencyOptions, text: string, runDir = join(o.tmpDir, `run-${preset}`)): Promise<LatencyResult> {
  if (!findLatestCheckpoint(runDir)) {
    mkdirSync(runDir, { recursive: true });
    untrainedCheckpoint(runDir, preset, vocabText, {}, REPLACED_RATE);
  }
  const client = Client.start(o.serverJs);
  try {
    await client.initialize(
      { protocolVersion: ELECTRA_PROTOCOL_VERSION, checkpointPath: runDir, threshold: 0.5, severity: 'information', ignoredWords: [], backend: o.backend },
      o.tmpDir,
    );
    await client.waitReady(120_000);
    const uri = `file://${o.tmpDir}/notes-${preset}.md`;
    let doc = TextDocument.create(uri, 'markdown', 1, text);
    const t0 = performance.now();
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'markdown', version: 1, text } });
    const firstMs = (await client.diagnosticsOf(1, 600_000)) - t0;
    const scored = await client.connection.sendRequest(ScoreDocumentRequest, { uri });
    const before: StatsResult = await client.connection.sendRequest(StatsRequest);

    const rng = new Rng(4);
    const edits: number[] = [];
    const serverMs: number[] = [];
    const windows: number[] = [];
    const send = async (change: { start: number; end: number; text: string }) => {
      const version = doc.version + 1;
      const c = { range: { start: doc.positionAt(change.start), end: doc.positionAt(change.end) }, text: change.text };
      doc = TextDocument.update(doc, [c], version);
      await client.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [c] });
      return version;
    };
    let previous = before;
    for (let i = 0; i < o.edits; i++) {
      // A pause, as between a user's separate edits (quick fixes, replaced words, pastes).
      await new Promise((r) => setTimeout(r, EDIT_PAUSE_MS));
      const e = oneWordEdit(doc, rng, i, o.edits);
      const sent = performance.now();
      const version = await send(e);
      edits.push((await client.diagnosticsOf(version, 120_000)) - sent);
      const now: StatsResult = await client.connection.sendRequest(StatsRequest);
      serverMs.push(now.scoringMs - previous.scoringMs);
      windows.push(now.windowsComputed - previous.windowsComputed);
      previous = now;
    }
    const after: StatsResult = previous;

    // Typing: a word typed a key at a time (TYPING_KEY_MS apart); latency from the last key.
    const typing: number[] = [];
    for (let i = 0; i < TYPING_WORDS; i++) {
      await new Promise((r) => setTimeout(r, EDIT_PAUSE_MS));
      // After a word, before the space that follows it: "word_ next" -> "word word_ next".
      const words = [...doc.getText().matchAll(/[a-z]{4,} /g)];
      const w = words[rng.int(words.length)];
      let at = w.index! + w[0].length - 1;
      let version = 0;
      let sent = 0;
      for (const key of ' word') {
        sent = performance.now();
        version = await send({ start: at, end: at, text: key });
        at++;
        await new Promise((r) => setTimeout(r, TYPING_KEY_MS));
      }
      typing.push((await client.diagnosticsOf(version, 120_000)) - sent);
    }
    const windowsComputed = after.windowsComputed - before.windowsComputed;
    const windowsAll = windowsComputed + after.windowsFromCache - before.windowsFromCache;
    return {
      preset,
      words: text.split(/\s+/).filter((w) => /\w/.test(w)).length,
      tokens: scored.tokens.length,
      firstMs,
      edits,
      windowsPerEdit: windowsComputed / o.edits,
      windowsTotal: windowsAll / o.edits,
      diagnostics: [...client.diagnosticCount].filter(([v]) => v > 1 && v <= o.edits + 1).reduce((a, [, n]) => a + n, 0) / o.edits,
      serverMs,
      windows,
      typing,
    };
  } finally {
    await client.stop();
  }
}

export async function runLatency(o: LatencyOptions): Promise<LatencyResult[]> {
  console.log(`machine: ${describeMachine()}`);
  const text = brownMarkdown(o.words);
  const started = performance.now();
  // One vocabulary for both presets, trained on Brown as `pretrain --brown` would.
  const vocabText = brownVocabulary(8192);
  const vocabSize = vocabText.split('\n').length - 1;
  console.log(`document: ${o.words} words of Brown text as Markdown (${text.length} characters, ${text.split(/\n\s*\n/).length} blocks); vocabulary ${vocabSize} WordPieces trained on Brown in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`server: ${o.serverJs} --stdio, backend ${o.backend}, threshold 0.5; untrained checkpoints with scores centred on ${REPLACED_RATE} (the base rate a trained model learns first)`);
  console.log(`edits: ${o.edits} one-word replacements (incremental didChange) spread over the document, each after the previous one's diagnostics and a ${EDIT_PAUSE_MS} ms pause; latency = didChange sent -> publishDiagnostics of that version received`);
  console.log('');
  console.log('| preset | tokens | first scoring ms | tokens/s | edit p50 ms | edit p95 ms | edit max ms | windows computed / total per edit | diagnostics per publish | target |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const results: LatencyResult[] = [];
  for (const preset of o.presets) {
    try {
      const r = await measureLatency(preset, vocabText, o, text);
      results.push(r);
      const s = summarize(r.edits);
      const target = LATENCY_TARGET_MS[preset];
      console.log(
        `| ${preset} | ${r.tokens} | ${r.firstMs.toFixed(0)} | ${(r.tokens / (r.firstMs / 1000)).toFixed(0)} | ${s.p50.toFixed(0)} | ${s.p95.toFixed(0)} | ${s.max.toFixed(0)} | ${r.windowsPerEdit.toFixed(1)} / ${r.windowsTotal.toFixed(0)} | ${r.diagnostics.toFixed(0)} | ${target ? verdict(s.p95, target, 'ms', 'p95') : '-'} |`,
      );
    } catch (e) {
      console.log(`| ${preset} | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  console.log('');
  for (const r of results) {
    const s = summarize(r.serverMs);
    const t = summarize(r.typing);
    const byWindows = new Map<number, number[]>();
    r.windows.forEach((w, i) => byWindows.set(w, [...(byWindows.get(w) ?? []), r.edits[i]]));
    const split = [...byWindows].sort((a, b) => a[0] - b[0]).map(([w, ms]) => {
      const x = summarize(ms);
      return `${w} window(s) computed: ${x.n} edits, p50 ${x.p50.toFixed(0)} ms, max ${x.max.toFixed(0)} ms`;
    });
    if (split.length > 0) console.log(`${r.preset}: edit latency by windows computed (an edit inside a long paragraph touches two overlapping windows): ${split.join('; ')}`);
    if (s.n > 0) console.log(`${r.preset}: server-side window computation per edit (electra/stats scoringMs): p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, max ${s.max.toFixed(0)} ms; the rest of the client-observed time is the transport both ways, the server's scheduling and building the diagnostics`);
    console.log(`${r.preset}: typing a word (${TYPING_WORDS} words, a key every ${TYPING_KEY_MS} ms; the server waits for a 150 ms pause): last key -> diagnostics p50 ${t.p50.toFixed(0)} ms, max ${t.max.toFixed(0)} ms`);
  }
  return results;
}
