/**
 * The swap fix over the real protocol: with the shipped base model, a planted swap's flagged
 * words are offered "Swap to ...", which puts the sentence right, once for the pair.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CodeActionRequest, type CodeAction } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ELECTRA_PROTOCOL_VERSION } from '../../src/shared/lspProtocol';
import { repoRoot } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'electra-swap-fix-test-'));
const client = TestLspClient.start(serverJs, 'stdio');
after(async () => {
  await client.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("both flagged words of a swapped pair are offered the swap that restores the sentence, once", async () => {
  await client.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, runsRoots: [join(tmp, 'runs')], baseModel: join(repoRoot, 'models', 'base'), threshold: 0.5, severity: 'information', ignoredWords: [] }, tmp);
  await client.waitForStatus((x) => x.state === 'ready', T, 'the base model loaded');
  const uri = 'file:///workspace/vectors.md';
  const content = 'Vectors can only store values of same the type.\n';
  const doc = TextDocument.create(uri, 'markdown', 1, content);
  await client.open(uri, 'markdown', 1, content);
  const published = await client.waitForDiagnostics(uri, (p) => p.version === 1, T, 'diagnostics of vectors.md');
  const same = content.indexOf('same');
  const flagged = published.diagnostics.map((d) => content.slice(doc.offsetAt(d.range.start), doc.offsetAt(d.range.end)));
  assert.deepEqual(flagged, ['same', 'the'], 'at 0.5 the base model flags both words of the pair');
  const fixesOver = async (start: number, end: number) =>
    (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: doc.positionAt(start), end: doc.positionAt(end) },
      context: { diagnostics: [], only: ['quickfix'] },
    })) as CodeAction[];
  const swaps = (await fixesOver(same, content.indexOf('type'))).filter((a) => a.title.startsWith('Swap'));
  assert.deepEqual(swaps.map((a) => a.title), ["Swap to 'the same'"]);
  assert.equal(TextDocument.applyEdits(doc, swaps[0].edit!.changes![uri]), 'Vectors can only store values of the same type.\n');
  await client.close(uri);
});
