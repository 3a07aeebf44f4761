/**
 * The threshold rule over the real protocol (src/shared/calibrationFormat.ts): with no
 * explicit electraStudio.annotation.threshold the server flags at the shipped base model's
 * calibrated threshold (its calibration.json), an explicit setting wins, null goes back to
 * auto, and a calibration written after the checkpoint was loaded (as a run writes it when it
 * ends) is picked up. Hovers and electra/scoreDocument say which threshold is in use.
 *
 * The base model is a copy of models/base in a temporary folder, so that its calibration can
 * be rewritten; the document is four chapters of the Rust book (real prose the model never saw).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { DidChangeConfigurationNotification, HoverRequest, type MarkupContent, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseCalibration } from '../../src/shared/calibrationFormat';
import { ELECTRA_PROTOCOL_VERSION, ScoreDocumentRequest, type ScoreDocumentResult } from '../../src/shared/lspProtocol';
import { repoRoot } from '../harness/training';
import { TestLspClient } from './lspClient';

const serverJs = process.env.ELECTRA_TEST_SERVER ?? join(repoRoot, 'dist', 'server.js');
const T = 60_000;
const tmp = mkdtempSync(join(tmpdir(), 'electra-calibrated-threshold-test-'));
const baseModel = join(tmp, 'base');
cpSync(join(repoRoot, 'models', 'base'), baseModel, { recursive: true });
const calibrationPath = join(baseModel, 'calibration.json');
const calibration = parseCalibration(JSON.parse(readFileSync(calibrationPath, 'utf8')), calibrationPath);

const rustBook = resolve(repoRoot, '..', 'shared', 'corpora', 'rust-book');
const chapters = readdirSync(rustBook).filter((f) => /^ch0[4-6].*\.md$/.test(f)).sort().slice(0, 4);
const text = chapters.map((f) => readFileSync(join(rustBook, f), 'utf8')).join('\n\n');
const uri = 'file:///workspace/book.md';
const doc = TextDocument.create(uri, 'markdown', 1, text);

const client = TestLspClient.start(serverJs, 'stdio');
after(async () => {
  await client.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** The diagnostics' ranges, as "start-end" offsets. */
const ranges = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${doc.offsetAt(d.range.start)}-${doc.offsetAt(d.range.end)}`).sort();
/** The ranges of the tokens of prose at or above `t` (every word counts: nothing is ignored here; the chapters' code is never flagged). */
const tokensAbove = (s: ScoreDocumentResult, t: number) => s.tokens.filter((x) => x.end > x.start && x.p >= t && !x.markup).map((x) => `${x.start}-${x.end}`).sort();

async function configure(threshold: number | null): Promise<PublishDiagnosticsParams> {
  const since = client.notifications.length;
  await client.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { electraStudio: { annotation: { threshold } } } });
  return client.waitForDiagnostics(uri, () => true, T, `diagnostics at threshold ${threshold}`, since);
}

test("no explicit setting: the shipped model's calibrated threshold; an explicit one wins; null is auto again", async () => {
  // No threshold in the options: the setting's default (null, auto).
  await client.initialize({ protocolVersion: ELECTRA_PROTOCOL_VERSION, baseModel, severity: 'information', ignoredWords: [], maxDiagnostics: 100_000 }, tmp);
  await client.waitForStatus((s) => s.state === 'ready' && s.source === 'base-model', T, 'the base model loaded');
  await client.open(uri, 'markdown', 1, text);
  const auto = await client.waitForDiagnostics(uri, (p) => p.version === 1, T, 'first diagnostics');
  const scored = await client.connection.sendRequest(ScoreDocumentRequest, { uri });
  assert.deepEqual(scored.threshold, { value: calibration.threshold, source: 'calibrated', falseFlagsPer1000: calibration.falseFlagsPer1000 });
  // The document must tell the thresholds apart for this test to mean anything.
  assert.notEqual(tokensAbove(scored, 0.5).length, tokensAbove(scored, calibration.threshold).length, 'tokens between 0.5 and the calibrated threshold');
  assert.ok(tokensAbove(scored, calibration.threshold).length > 0, 'tokens above the calibrated threshold');
  assert.deepEqual(ranges(auto), tokensAbove(scored, calibration.threshold));

  const flagged = scored.tokens.find((x) => x.p >= calibration.threshold && !x.markup)!;
  const hover = await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: doc.positionAt(flagged.start) });
  const md = (hover!.contents as MarkupContent).value;
  assert.ok(md.includes(`Flagged at or above ${calibration.threshold.toFixed(2)}, calibrated for 5 false flags per 1,000 words.`), md);

  const explicit = await configure(0.5);
  assert.deepEqual(ranges(explicit), tokensAbove(scored, 0.5));
  assert.deepEqual((await client.connection.sendRequest(ScoreDocumentRequest, { uri })).threshold, { value: 0.5, source: 'setting' });

  const again = await configure(null);
  assert.deepEqual(ranges(again), tokensAbove(scored, calibration.threshold));
});

test('a calibration written after the checkpoint was loaded is used, and a damaged one falls back to the default', async () => {
  const scored = await client.connection.sendRequest(ScoreDocumentRequest, { uri });
  const higher = Math.round((calibration.threshold + 1) * 50) / 100; // halfway to 1
  let since = client.notifications.length;
  writeFileSync(calibrationPath, JSON.stringify({ ...calibration, threshold: higher }));
  const rewritten = await client.waitForDiagnostics(uri, () => true, T, 'diagnostics after the calibration changed', since);
  assert.deepEqual(ranges(rewritten), tokensAbove(scored, higher));
  assert.equal((await client.connection.sendRequest(ScoreDocumentRequest, { uri })).threshold.value, higher);

  since = client.notifications.length;
  writeFileSync(calibrationPath, JSON.stringify({ ...calibration, threshold: 42 }));
  const damaged = await client.waitForDiagnostics(uri, () => true, T, 'diagnostics after the calibration was damaged', since);
  assert.deepEqual(ranges(damaged), tokensAbove(scored, 0.5));
  assert.deepEqual((await client.connection.sendRequest(ScoreDocumentRequest, { uri })).threshold, { value: 0.5, source: 'default' });
  assert.match(client.stderr + JSON.stringify(client.notifications.slice(since)), /threshold 42 is not a number in \(0, 1\)/);
});
