/**
 * Markdown's code and markup over the real protocol: the shipped base model flags a fenced
 * block's lines when a document is plain text; the same text as Markdown gets the same
 * diagnostics less those, its hover on the code says why nothing is flagged there, and the
 * token view's scores mark the code and markup (ScoreDocumentResult, protocol 4).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ELECTRA_PROTOCOL_VERSION, ScoreDocumentRequest } from '../../src/shared/lspProtocol';
import { repoRoot } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'electra-markdown-test-'));
const client = TestLspClient.start(serverJs, 'stdio');
after(async () => {
  await client.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Prose with a doubled word, a fenced block of commands, a link and a code span (shared with the CLI's test). */
const TEXT = readFileSync(join(repoRoot, 'test', 'fixtures', 'markdown-with-code.md'), 'utf8');
const span = (s: string) => ({ start: TEXT.indexOf(s), end: TEXT.indexOf(s) + s.length });
const CODE = { start: TEXT.indexOf('```sh'), end: TEXT.lastIndexOf('```') + 3 };
/** The code and markup of TEXT: the fenced block, the link's destination (from its closing bracket) and the code span. */
const MARKUP = [CODE, span('](https://example.com/guide/scoring.html)'), span('`electra-studio score --help`')];

test('Markdown: code blocks and markup are scored, never flagged; plain text of the same words is flagged there', async () => {
  await client.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, runsRoots: [join(tmp, 'runs')], baseModel: join(repoRoot, 'models', 'base'), threshold: 0.5, severity: 'information', ignoredWords: [] }, tmp);
  await client.waitForStatus((x) => x.state === 'ready', T, 'the base model loaded');
  const flagsOf = async (uri: string, languageId: string) => {
    await client.open(uri, languageId, 1, TEXT);
    const published = await client.waitForDiagnostics(uri, (p) => p.version === 1, T, `diagnostics of ${uri}`);
    const doc = TextDocument.create(uri, languageId, 1, TEXT);
    return published.diagnostics.map((d) => ({ start: doc.offsetAt(d.range.start), end: doc.offsetAt(d.range.end) }));
  };
  const plain = await flagsOf('file:///workspace/scoring.txt', 'plaintext');
  const markdown = await flagsOf('file:///workspace/scoring.md', 'markdown');
  const inCode = (f: { start: number }) => f.start >= CODE.start && f.start < CODE.end;
  assert.ok(plain.some(inCode), 'as plain text, the base model flags the code block at 0.5');
  assert.deepEqual(markdown, plain.filter((f) => !inCode(f)), 'as Markdown: the same diagnostics, less those in code');
  assert.ok(markdown.some((f) => TEXT.slice(f.start, f.end) === 'the'), 'the repeated word in the prose is still flagged');

  // The hover on a flagged token of the code says why it has no diagnostic.
  const codeToken = plain.find(inCode)!;
  const doc = TextDocument.create('file:///workspace/scoring.md', 'markdown', 1, TEXT);
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc.uri }, position: doc.positionAt(codeToken.start) });
  assert.match((hover!.contents as MarkupContent).value, /Not flagged: code or markup/);
  const prose = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: doc.uri }, position: doc.positionAt(markdown[0].start) });
  assert.match((prose!.contents as MarkupContent).value, /Flagged at or above 0\.50/);

  // The token view's scores: every token of the code block and the link's destination is marked, no word of the prose is.
  const scores = await client.connection.sendRequest(ScoreDocumentRequest, { uri: doc.uri });
  const marked = scores.tokens.filter((t) => t.markup);
  assert.ok(marked.length > 20);
  for (const t of scores.tokens) {
    const markup = MARKUP.some((m) => t.start < m.end && t.end > m.start);
    assert.equal(!!t.markup, markup, `token ${JSON.stringify(TEXT.slice(t.start, t.end))} at ${t.start}`);
  }
  const plainScores = await client.connection.sendRequest(ScoreDocumentRequest, { uri: 'file:///workspace/scoring.txt' });
  assert.ok(plainScores.tokens.every((t) => !t.markup), 'plain text has no markup');
});
