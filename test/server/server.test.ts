/**
 * The language server over its real protocol: dist/server.js started with --stdio (and once
 * with --node-ipc), spoken to with vscode-jsonrpc as vscode-languageclient would, scoring
 * with a real micro checkpoint trained in `before` on the committed rust-book chapters.
 *
 * The tests run in order and share one server: each step continues the session of the
 * previous one (open, score, hover, fix, ignore, edit, reload), as a user's session would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import {
  CodeActionRequest,
  DidChangeConfigurationNotification,
  HoverRequest,
  LSPErrorCodes,
  type CodeAction,
  type Diagnostic,
  type MarkupContent,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pieceText, wordOf } from '../../src/server/tokens';
import {
  AlternativesRequest,
  DIAGNOSTIC_CODE,
  DIAGNOSTIC_SOURCE,
  ELECTRA_PROTOCOL_VERSION,
  IGNORE_WORD_COMMAND,
  NOT_ANNOTATED_CODE,
  ScoreDocumentRequest,
  SelectCheckpointNotification,
  StatsRequest,
  type IgnoreWordArgs,
  type ReplacedTokenData,
  type ScoreDocumentResult,
} from '../../src/shared/lspProtocol';
import { fixtureCorpus, repoRoot, train } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const STEPS = 30;
const MORE_STEPS = 40;
/** Generous: CI machines are slow and shared. */
const T = 60_000;

let tmp: string;
let runDir: string;
let client: TestLspClient;
/** The client's copy of the open document, kept in sync with what it sends. */
let doc: TextDocument;
const uri = 'file:///workspace/notes/collections.md';

// Real prose and code from the fixture chapter, plus a paragraph with characters outside the
// BMP (two UTF-16 units each) and accents, to check that offsets are UTF-16 offsets.
const text =
  readFileSync(join(fixtureCorpus, 'ch08-00-common-collections.md'), 'utf8') +
  '\nA crab 🦀 named Ferris likes café au lait 🥛 and Rust collections.\n';

/** The document's text at each version the client sent. */
const texts = new Map<number, string>();

function edit(version: number, changes: Array<{ start: number; end: number; text: string }>) {
  const contentChanges = changes.map((c) => ({ range: { start: doc.positionAt(c.start), end: doc.positionAt(c.end) }, text: c.text }));
  doc = TextDocument.update(doc, contentChanges, version);
  texts.set(version, doc.getText());
  return client.change(uri, version, contentChanges);
}

/** Paragraphs (text between blank lines) of `s`, as offsets. */
function paragraphs(s: string): Array<{ start: number; end: number; text: string }> {
  return [...s.matchAll(/\S[\s\S]*?(?=\n[ \t]*\n|\s*$)/g)].map((m) => ({ start: m.index!, end: m.index! + m[0].length, text: m[0] }));
}

const scoreDocument = () => client.connection.sendRequest(ScoreDocumentRequest, { uri });

/** The word of the current document text a diagnostic sits on. */
const wordAt = (d: Diagnostic) => wordOf(doc.getText(), { start: doc.offsetAt(d.range.start), end: doc.offsetAt(d.range.end) });

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'electra-server-test-'));
  runDir = join(tmp, 'run');
  const started = Date.now();
  await train({ corpus: fixtureCorpus, out: runDir, steps: STEPS });
  console.log(`# trained micro for ${STEPS} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

after(async () => {
  if (client) {
    const code = await client.stop();
    assert.equal(code, 0, 'the server exits with 0 after shutdown + exit');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('initialize: capabilities and protocol version (--stdio)', async () => {
  client = TestLspClient.start(serverJs, 'stdio');
  const init = await client.initialize(
    { protocolVersion: ELECTRA_PROTOCOL_VERSION, checkpointPath: runDir, threshold: 0, severity: 'information', ignoredWords: [], maxDiagnostics: 1_000_000 },
    tmp,
  );
  assert.equal(init.capabilities.hoverProvider, true);
  assert.deepEqual(init.capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
  assert.deepEqual(init.capabilities.experimental, { electraStudio: { protocolVersion: ELECTRA_PROTOCOL_VERSION } });
});

test('loads the run folder and reports ready with its step', async () => {
  const ready = await client.waitForStatus((s) => s.state === 'ready' || s.state === 'error', T, 'the checkpoint to load');
  assert.equal(ready.state, 'ready', `status: ${JSON.stringify(ready)}`);
  assert.equal(ready.checkpointStep, STEPS);
  const seen = client.notifications.filter((n) => n.method === 'electra/status').map((n) => (n.params as { state: string }).state);
  assert.deepEqual(seen, ['loading', 'ready']);
});

test('didOpen of a Markdown file publishes electra diagnostics', async () => {
  doc = TextDocument.create(uri, 'markdown', 1, text);
  texts.set(1, text);
  await client.open(uri, 'markdown', 1, text);
  const published = await client.waitForDiagnostics(uri, (p) => p.version === 1, T, 'diagnostics of version 1');
  // Threshold 0: every token is flagged.
  assert.ok(published.diagnostics.length > 100, `${published.diagnostics.length} diagnostics`);
  for (const d of published.diagnostics) {
    assert.equal(d.source, DIAGNOSTIC_SOURCE);
    assert.equal(d.code, DIAGNOSTIC_CODE);
    assert.equal(d.severity, 3 /* Information */);
    const data = d.data as ReplacedTokenData;
    assert.equal(data.checkpointStep, STEPS);
    assert.ok(data.p >= 0 && data.p <= 1);
    assert.match(d.message, /p = \d\.\d\d/);
    assert.ok(doc.offsetAt(d.range.end) > doc.offsetAt(d.range.start));
  }
});

let scored: ScoreDocumentResult;

test('electra/scoreDocument: every token, UTF-16 offsets, probabilities', async () => {
  scored = await scoreDocument();
  assert.equal(scored.uri, uri);
  assert.equal(scored.version, 1);
  assert.equal(scored.checkpointStep, STEPS);
  assert.ok(scored.tokens.length > 100);
  let previousEnd = 0;
  let checked = 0;
  for (const t of scored.tokens) {
    assert.ok(t.start >= previousEnd && t.end > t.start && t.end <= text.length, `offsets of ${JSON.stringify(t)}`);
    previousEnd = t.end;
    assert.ok(t.p >= 0 && t.p <= 1);
    const source = text.slice(t.start, t.end);
    assert.doesNotMatch(source, /\s/, `token ${JSON.stringify(t)} covers whitespace`);
    if (/^[\x21-\x7e]+$/.test(source) && t.piece !== '[UNK]') {
      assert.equal(pieceText(t.piece), source.toLowerCase(), `piece of ${JSON.stringify(t)}`);
      checked++;
    }
  }
  assert.ok(checked > 100);
  // After the two non-BMP emoji the offsets still point at the right text.
  const tail = text.lastIndexOf('collections');
  assert.ok(scored.tokens.some((t) => t.start === tail), 'a token starts at the last "collections" (after 🦀 and 🥛)');
  const ps = scored.tokens.map((t) => t.p);
  assert.ok(Math.max(...ps) > Math.min(...ps), 'the scores are not all equal');
});

/** A flagged word token with usable alternatives, for the hover and quick-fix steps. */
let target: { start: number; end: number; piece: string; p: number };

test('electra/alternatives: the generator top-k for the token at an offset', async () => {
  const candidates = scored.tokens.filter((t) => /^[a-z]{4,}$/.test(t.piece)).slice(10);
  assert.ok(candidates.length > 0);
  const first = candidates[0];
  const alt = await client.connection.sendRequest(AlternativesRequest, { uri, offset: first.start + 1, k: 8 });
  assert.ok(alt, 'a token at the offset');
  assert.deepEqual({ start: alt.start, end: alt.end, piece: alt.piece }, { start: first.start, end: first.end, piece: first.piece });
  assert.equal(alt.alternatives.length, 8);
  let sum = 0;
  for (let i = 0; i < alt.alternatives.length; i++) {
    const a = alt.alternatives[i];
    assert.ok(a.probability > 0 && a.probability <= 1);
    if (i > 0) assert.ok(a.probability <= alt.alternatives[i - 1].probability, 'sorted by probability');
    sum += a.probability;
  }
  assert.ok(sum <= 1 + 1e-4);
  const between = text.indexOf('\n\n');
  assert.equal(await client.connection.sendRequest(AlternativesRequest, { uri, offset: between + 1 }), null, 'no token on a blank line');
  target = first;
});

test('hover: the probability and a Markdown table of alternatives', async () => {
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: doc.positionAt(target.start + 1) });
  assert.ok(hover, 'a hover');
  const md = hover.contents as MarkupContent;
  assert.equal(md.kind, 'markdown');
  assert.ok(md.value.includes(target.p.toFixed(3)), md.value);
  assert.ok(md.value.includes(`checkpoint step ${STEPS}`), md.value);
  const lines = md.value.split('\n');
  const header = lines.indexOf("| Generator's alternative | Probability |");
  assert.ok(header > 0, md.value);
  assert.equal(lines[header + 1], '| --- | ---: |');
  const rows = lines.slice(header + 2);
  assert.equal(rows.length, 5, 'five alternatives by default');
  // A piece in a code span; one holding a backtick is fenced with two.
  for (const row of rows) assert.match(row, /^\| (`[^`]+`|`` .+ ``) \| \d\.\d{3} \|$/);
  assert.deepEqual(hover.range, { start: doc.positionAt(target.start), end: doc.positionAt(target.end) });
});

/** Asks for the quick fixes at a token. */
async function quickFixes(t: { start: number; end: number }): Promise<CodeAction[]> {
  const range = { start: doc.positionAt(t.start), end: doc.positionAt(t.end) };
  return (await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range,
    context: { diagnostics: [], only: ['quickfix'] },
  })) as CodeAction[];
}

let ignoreAction: CodeAction;

test('quick fixes: "Replace with" edits the token, "Ignore" carries the command', async () => {
  const range = { start: doc.positionAt(target.start), end: doc.positionAt(target.end) };
  const actions = await quickFixes(target);
  assert.ok(actions && actions.length >= 2, JSON.stringify(actions));
  const replaces = actions.filter((a) => a.title.startsWith('Replace with '));
  assert.ok(replaces.length >= 1 && replaces.length <= 3, actions.map((a) => a.title).join(', '));
  assert.equal(replaces[0].isPreferred, true);
  for (const a of actions) {
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.diagnostics?.[0]?.source, DIAGNOSTIC_SOURCE);
  }
  const word = wordOf(text, target);
  const ignore = actions[actions.length - 1];
  assert.equal(ignore.title, `Ignore '${word}'`);
  assert.equal(ignore.command?.command, IGNORE_WORD_COMMAND);
  assert.deepEqual(ignore.command?.arguments, [{ word } satisfies IgnoreWordArgs]);

  // Apply the preferred fix as the client would (a WorkspaceEdit), and send the change.
  const editOf = replaces[0].edit!.changes![uri];
  assert.equal(editOf.length, 1);
  assert.deepEqual(editOf[0].range, range);
  const replacement = editOf[0].newText;
  assert.equal(replaces[0].title, `Replace with '${replacement}'`);
  assert.notEqual(replacement.toLowerCase(), text.slice(target.start, target.end).toLowerCase());
  const since = client.notifications.length;
  await edit(2, [{ start: target.start, end: target.end, text: replacement }]);
  await client.waitForDiagnostics(uri, (p) => p.version === 2, T, 'diagnostics after the quick fix', since);
  const after = await scoreDocument();
  assert.equal(after.version, 2);
  assert.ok(after.tokens.some((t) => t.start === target.start && doc.getText().slice(t.start, t.end).length > 0));
});

test('"Ignore" (the client adds the word to ignoredWords): that word loses its diagnostics', async () => {
  // The most frequent word of the document, so that several diagnostics go away at once.
  const current = await scoreDocument();
  const counts = new Map<string, number>();
  for (const t of current.tokens) if (/^[a-z]{3,}$/.test(t.piece)) counts.set(t.piece, (counts.get(t.piece) ?? 0) + 1);
  const frequent = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const token = current.tokens.find((t) => t.piece === frequent && wordOf(doc.getText(), t).toLowerCase() === frequent)!;
  ignoreAction = (await quickFixes(token)).at(-1)!;
  assert.equal(ignoreAction.command?.command, IGNORE_WORD_COMMAND);
  const { word } = (ignoreAction.command!.arguments as IgnoreWordArgs[])[0];
  assert.equal(word.toLowerCase(), frequent);
  const before = client.diagnosticsFor(uri).at(-1)!;
  const hits = before.diagnostics.filter((d) => wordAt(d).toLowerCase() === word.toLowerCase());
  assert.ok(hits.length > 1, `'${word}' has diagnostics before`);
  const since = client.notifications.length;
  // What vscode-languageclient sends after the extension updated electraStudio.annotation.ignoredWords.
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { electraStudio: { annotation: { ignoredWords: [word.toUpperCase()], threshold: 0, severity: 'information' } } },
  });
  const next = await client.waitForDiagnostics(uri, () => true, T, 'diagnostics after ignoring a word', since);
  assert.equal(next.version, 2);
  assert.equal(next.diagnostics.filter((d) => wordAt(d).toLowerCase() === word.toLowerCase()).length, 0);
  assert.equal(next.diagnostics.length, before.diagnostics.length - hits.length);
});

test('threshold and severity pulled with workspace/configuration', async () => {
  const current = await scoreDocument();
  const ps = current.tokens.map((t) => t.p).sort((a, b) => a - b);
  const threshold = ps[Math.floor(ps.length / 2)];
  const ignored = ignoreAction.command!.arguments![0].word.toLowerCase();
  client.configuration = { electraStudio: { annotation: { threshold, severity: 'warning', ignoredWords: [ignored] } } };
  const since = client.notifications.length;
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  const next = await client.waitForDiagnostics(uri, () => true, T, 'diagnostics after the threshold changed', since);
  const expected = current.tokens.filter(
    (t) => t.p >= threshold && !t.markup && wordOf(doc.getText(), t).toLowerCase() !== ignored, // code and markup: never flagged
  ).length;
  assert.equal(next.diagnostics.length, expected);
  assert.ok(expected > 0 && expected < current.tokens.length);
  for (const d of next.diagnostics) {
    assert.equal(d.severity, 2 /* Warning */);
    assert.ok((d.data as ReplacedTokenData).p >= threshold);
  }
  // Back to every token for the next steps.
  client.configuration = { electraStudio: { annotation: { threshold: 0, severity: 'information', ignoredWords: [] } } };
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
});

test('quick fixes of real-word errors: a confusable offers its partners first, a doubled word its deletion', async () => {
  // Threshold 0 (set above): every token is flagged, so each has its fixes.
  const errorsUri = 'file:///workspace/notes/errors.md';
  const content = 'Their going to to town.\n';
  const errorsDoc = TextDocument.create(errorsUri, 'markdown', 1, content);
  await client.open(errorsUri, 'markdown', 1, content);
  await client.waitForDiagnostics(errorsUri, (p) => p.version === 1, T, 'diagnostics of errors.md');
  const fixesAt = async (start: number, end: number) =>
    (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: errorsUri },
      range: { start: errorsDoc.positionAt(start), end: errorsDoc.positionAt(end) },
      context: { diagnostics: [], only: ['quickfix'] },
    })) as CodeAction[];
  const apply = (a: CodeAction) => TextDocument.applyEdits(errorsDoc, a.edit!.changes![errorsUri]);

  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: errorsUri }, position: errorsDoc.positionAt(2) });
  assert.match((hover?.contents as MarkupContent).value, /A real-word error\? Replace with 'There' · Replace with 'They're' \(quick fix\)/);
  const their = await fixesAt(0, 5);
  assert.deepEqual(their.slice(0, 2).map((a) => a.title), ["Replace with 'There'", "Replace with 'They're'"]);
  assert.equal(their[0].isPreferred, true);
  assert.equal(apply(their[0]), 'There going to to town.\n');
  assert.equal(their.filter((a) => a.title === "Replace with 'There'").length, 1, 'a generator alternative does not repeat a correction');

  const second = content.indexOf('to', content.indexOf('to') + 1);
  const to = await fixesAt(second, second + 2);
  assert.deepEqual(to.slice(0, 2).map((a) => a.title), ["Delete the repeated 'to'", "Replace with 'too'"]);
  assert.equal(apply(to[0]), 'Their going to town.\n');
  assert.equal(to.at(-1)!.title, "Ignore 'to'");
  await client.close(errorsUri);
});

test('an edit re-scores only the paragraph it touches', async () => {
  const before = await client.connection.sendRequest(StatsRequest);
  const paras = paragraphs(doc.getText());
  // A short prose paragraph in the middle: it fits in one scoring window.
  const p = paras.slice(2).find((x) => x.text.split(/\s+/).length < 25 && !x.text.startsWith('`'))!;
  assert.ok(p, 'a short paragraph');
  const since = client.notifications.length;
  const started = Date.now();
  await edit(3, [{ start: p.end, end: p.end, text: ' Vectors are growable arrays' }]);
  await client.waitForDiagnostics(uri, (d) => d.version === 3, T, 'diagnostics of version 3', since);
  const elapsed = Date.now() - started;
  const after = await client.connection.sendRequest(StatsRequest);
  const computed = after.windowsComputed - before.windowsComputed;
  const cached = after.windowsFromCache - before.windowsFromCache;
  assert.equal(after.scorings - before.scorings, 1);
  assert.ok(computed >= 1 && computed <= 2, `${computed} windows computed`);
  assert.ok(cached >= 5, `${cached} windows from the cache`);
  console.log(`# edit -> diagnostics in ${elapsed} ms (debounce included): ${computed} window(s) computed, ${cached} from the cache`);
});

test('stale versions are dropped: fast typing publishes only the last version', async () => {
  const since = client.notifications.length;
  const paras = paragraphs(doc.getText());
  // Version 4 touches two paragraphs; a scoreDocument request starts scoring it; version 5
  // arrives while it runs. Then three more quick edits (6, 7, 8) inside the debounce.
  // Version 4 comes after a pause, so the server scores it almost at once (an isolated
  // edit): if that scoring finishes before version 5 arrives, version 4 was current when it
  // was published, and that is right. Versions 5 to 7 come in quick succession and are
  // never published: each is overtaken by the next within the typing debounce.
  await edit(4, [
    { start: paras[1].end, end: paras[1].end, text: ' Strings too' },
    { start: paras[5].end + ' Strings too'.length, end: paras[5].end + ' Strings too'.length, text: ' And maps' },
  ]);
  const pending = scoreDocument();
  await edit(5, [{ start: paras[2].end + ' Strings too'.length, end: paras[2].end + ' Strings too'.length, text: ' Hash maps' }]);
  for (const v of [6, 7, 8]) await edit(v, [{ start: 0, end: 0, text: 'x' }]);
  const result = await pending;
  // Whatever version the request settled on, its tokens belong to that version's text.
  assert.ok(result.version >= 4, `version ${result.version}`);
  const at = texts.get(result.version)!;
  for (const t of result.tokens) assert.doesNotMatch(at.slice(t.start, t.end), /\s/);
  assert.ok(result.tokens.at(-1)!.end <= at.length);
  await client.waitForDiagnostics(uri, (d) => d.version === 8, T, 'diagnostics of version 8', since);
  const versions = client.diagnosticsFor(uri, since).map((d: PublishDiagnosticsParams) => d.version);
  assert.equal(versions.at(-1), 8, `published versions ${versions.join(', ')}`);
  assert.deepEqual(versions.filter((v) => v !== 4), [8], `published versions ${versions.join(', ')}`);
  console.log(`# scoreDocument issued at version 4 answered with version ${result.version}`);
});

test('documents over the corpus limits (size, binary) get one diagnostic saying why, and no scores', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['file:///workspace/huge.md', 'A paragraph of ordinary words.\n\n'.repeat(340_000), /ELECTRA does not annotate this document: too large: 10\.\d MiB or more, over the limit of 10 MiB/],
    ['file:///workspace/binary.txt', 'ELF\0\0\0 looks like text after the header', /ELECTRA does not annotate this document: binary: a NUL character at offset 3/],
  ];
  for (const [docUri, content, pattern] of cases) {
    const statsBefore = await client.connection.sendRequest(StatsRequest);
    await client.open(docUri, docUri.endsWith('.md') ? 'markdown' : 'plaintext', 1, content);
    const published = await client.waitForDiagnostics(docUri, (p) => p.version === 1, T, `diagnostics of ${docUri}`);
    assert.equal(published.diagnostics.length, 1, JSON.stringify(published.diagnostics.slice(0, 3)));
    const [d] = published.diagnostics;
    assert.equal(d.code, NOT_ANNOTATED_CODE);
    assert.match(d.message, pattern);
    await assert.rejects(client.connection.sendRequest(ScoreDocumentRequest, { uri: docUri }), (e: unknown) => e instanceof ResponseError && pattern.test(e.message));
    const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: docUri }, position: { line: 0, character: 2 } });
    assert.equal(hover, null);
    assert.equal((await client.connection.sendRequest(StatsRequest)).scorings, statsBefore.scorings, 'nothing was scored');
    await client.close(docUri);
  }
});

test('follows the run: training saves a newer checkpoint, the server reloads and re-scores', async () => {
  const since = client.notifications.length;
  await train({ corpus: fixtureCorpus, out: runDir, steps: MORE_STEPS, resume: true });
  const ready = await client.waitForStatus((s) => s.state === 'ready' && s.checkpointStep === MORE_STEPS, T, `step ${MORE_STEPS} loaded`, since);
  assert.equal(ready.checkpointStep, MORE_STEPS);
  const republished = await client.waitForDiagnostics(
    uri,
    (p) => p.diagnostics.length > 0 && (p.diagnostics[0].data as ReplacedTokenData).checkpointStep === MORE_STEPS,
    T,
    'diagnostics from the new checkpoint',
    since,
  );
  assert.equal(republished.version, 8);
  assert.equal((await scoreDocument()).checkpointStep, MORE_STEPS);
});

test('electra/selectCheckpoint: a checkpoint folder is pinned, an empty path unloads', async () => {
  let since = client.notifications.length;
  const pinned = join(runDir, 'checkpoints', `step-${String(STEPS).padStart(8, '0')}`);
  await client.connection.sendNotification(SelectCheckpointNotification, { path: pinned });
  await client.waitForStatus((s) => s.state === 'ready' && s.checkpointStep === STEPS, T, `pinned step ${STEPS}`, since);
  assert.equal((await client.connection.sendRequest(StatsRequest)).checkpointDir, pinned);
  await client.waitForDiagnostics(uri, (p) => (p.diagnostics[0]?.data as ReplacedTokenData)?.checkpointStep === STEPS, T, 'rescored', since);

  since = client.notifications.length;
  await client.connection.sendNotification(SelectCheckpointNotification, { path: '' });
  await client.waitForStatus((s) => s.state === 'no-checkpoint', T, 'unloaded', since);
  await client.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, T, 'diagnostics cleared on unload', since);
  await assert.rejects(scoreDocument(), (e: unknown) => e instanceof ResponseError && e.code === LSPErrorCodes.RequestFailed);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: doc.positionAt(target.start) });
  assert.equal(hover, null);

  since = client.notifications.length;
  await client.connection.sendNotification(SelectCheckpointNotification, { path: join(tmp, 'no-such-run') });
  const none = await client.waitForStatus((s) => s.state === 'no-checkpoint', T, 'no checkpoint yet', since);
  assert.match(none.message ?? '', /no checkpoint in/);
});

test('--node-ipc transport: initialize, open, diagnostics', async () => {
  const ipc = TestLspClient.start(serverJs, 'node-ipc');
  try {
    await ipc.initialize({ checkpointPath: runDir, threshold: 0.0, severity: 'hint', ignoredWords: [] }, tmp);
    await ipc.waitForStatus((s) => s.state === 'ready', T, 'ready over IPC');
    await ipc.open('file:///workspace/a.txt', 'plaintext', 7, 'Plain text works over IPC as well.');
    const d = await ipc.waitForDiagnostics('file:///workspace/a.txt', (p) => p.version === 7, T, 'diagnostics over IPC');
    assert.ok(d.diagnostics.length >= 7);
    assert.ok(d.diagnostics.every((x) => x.severity === 4 /* Hint */));
  } finally {
    assert.equal(await ipc.stop(), 0);
  }
});

test('untrusted workspace: the checkpoint given at start-up is not loaded until the client selects it', async () => {
  const untrusted = TestLspClient.start(serverJs, 'stdio');
  try {
    await untrusted.initialize({ checkpointPath: runDir, threshold: 0, severity: 'information', ignoredWords: [], workspaceTrusted: false }, tmp);
    const status = await untrusted.waitForStatus(() => true, T, 'the first status');
    assert.equal(status.state, 'no-checkpoint');
    assert.match(status.message ?? '', /the workspace is not trusted/);
    await untrusted.open('file:///workspace/u.txt', 'plaintext', 1, 'Nothing is scored in an untrusted workspace.');
    await new Promise((r) => setTimeout(r, 1500));
    const states = untrusted.notifications.filter((n) => n.method === 'electra/status').map((n) => (n.params as { state: string }).state);
    assert.deepEqual(states, ['no-checkpoint'], 'no load was attempted');
    assert.equal((await untrusted.connection.sendRequest(StatsRequest)).checkpointDir, undefined);
    // The user's consent (the extension sends it when the workspace is trusted, or on Select Checkpoint).
    await untrusted.connection.sendNotification(SelectCheckpointNotification, { path: runDir });
    await untrusted.waitForStatus((s) => s.state === 'ready', T, 'ready after consent');
    await untrusted.waitForDiagnostics('file:///workspace/u.txt', (p) => p.diagnostics.length > 0, T, 'diagnostics after consent');
  } finally {
    assert.equal(await untrusted.stop(), 0);
  }
});
