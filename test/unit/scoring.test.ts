/**
 * Scoring with a checkpoint trained on real text: offsets, windows over long documents,
 * determinism, the window cache after an edit, and the generator's alternatives.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { planWindows, Scorer } from '../../src/core/score/scoring';
import { pretrain } from '../../src/core/train/pretrain';
import { readText, rustBookCorpus, rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('scoring');
let scorer: Scorer;
let chapter: string;
let run: string;
const WORKER_SCRIPT = resolve(__dirname, '../../../dist/dataParallelWorker.js');

before(async () => {
  const corpus = rustBookCorpus(join(scratch.path, 'corpus'));
  run = join(scratch.path, 'run');
  await pretrain({ corpus: { kind: 'folder', root: corpus }, outDir: run, preset: 'micro', steps: 20, batchSize: 4, backend: 'wasm', evalEvery: 0, checkpointEvery: 0 });
  scorer = await Scorer.load(run, { backend: 'wasm' });
  chapter = readText(rustBookFiles().find((f) => f.includes('ch04-01'))!);
});
after(() => {
  scorer?.dispose();
  scratch.cleanup();
});

test('every token has a probability and offsets that map back to the text', async () => {
  const result = await scorer.score(chapter);
  assert.equal(result.checkpointStep, 20);
  assert.ok(result.tokens.length > 1000);
  let previousEnd = 0;
  for (const t of result.tokens) {
    assert.ok(t.pReplaced >= 0 && t.pReplaced <= 1);
    assert.ok(t.start >= previousEnd && t.end > t.start, `token ${t.piece} at ${t.start}`);
    previousEnd = t.end;
    const source = chapter.slice(t.start, t.end).toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    if (t.piece !== '[UNK]') assert.equal(source, t.piece.replace(/^##/, ''));
  }
});

test('windows: paragraphs, and long paragraphs in overlapping windows that keep each token once', () => {
  const long = Array.from({ length: 300 }, (_, i) => `word${i % 7}`).join(' ');
  const text = `Short paragraph here.\n\n${long}\n\nAnother one.`;
  const tokens = scorer.tokenize(text);
  const windows = planWindows(text, tokens, 62);
  const kept = new Array(tokens.length).fill(0);
  for (const w of windows) {
    assert.ok(w.end - w.start <= 62);
    assert.ok(w.keepStart >= w.start && w.keepEnd <= w.end);
    for (let i = w.keepStart; i < w.keepEnd; i++) kept[i]++;
  }
  assert.ok(kept.every((k) => k === 1), 'each token is kept by exactly one window');
  assert.ok(windows.length >= 5);
  const covering = new Array(tokens.length).fill(0);
  for (const w of windows) for (let i = w.start; i < w.end; i++) covering[i]++;
  assert.ok(Math.max(...covering) <= 2, 'no token is in more than two windows');
  // A kept token is never at the very edge of an overlapping window (except at the paragraph's ends).
  const middle = windows.filter((w) => w.start > 4 && w.end < tokens.length - 3);
  for (const w of middle.slice(1, -1)) assert.ok(w.keepStart - w.start >= 10 && w.end - w.keepEnd >= 10);
});

test('scoring is deterministic and an edit recomputes only the windows it touches', async () => {
  const a = await scorer.score(chapter);
  const again = await scorer.score(chapter);
  assert.equal(again.windowsComputed, 0, 'everything came from the cache');
  assert.deepEqual(again.tokens.map((t) => t.pReplaced), a.tokens.map((t) => t.pReplaced));
  const at = chapter.indexOf('ownership');
  const edited = chapter.slice(0, at) + 'banana' + chapter.slice(at + 'ownership'.length);
  const b = await scorer.score(edited);
  // Only the edited paragraph's windows: the paragraph itself if it fits in one window, or
  // those of its overlapping windows at and after the edit (token positions shift there).
  const tokens = scorer.tokenize(edited);
  const editedToken = tokens.findIndex((t) => t.end > at);
  const touched = planWindows(edited, tokens, scorer.config.maxSeqLength - 2).filter((w) => w.end > editedToken);
  const paragraphEnd = touched.findIndex((w, i) => i > 0 && w.start >= touched[i - 1].end);
  const inParagraph = paragraphEnd < 0 ? touched.length : paragraphEnd;
  assert.ok(b.windowsComputed >= 1 && b.windowsComputed <= inParagraph, `recomputed ${b.windowsComputed} of ${b.windowsTotal} windows; the edited paragraph has ${inParagraph} from the edit on`);
  assert.ok(inParagraph <= 4);
  assert.ok(b.windowsTotal > 20);
});

test('a long paragraph: windows start at sentences, so an edit that adds a token recomputes at most three', async () => {
  // The chapter's prose as one paragraph of a thousand tokens and more (no blank lines).
  const paragraph = chapter
    .split(/\n\s*\n/)
    .filter((p) => /^[A-Z]/.test(p))
    .join(' ')
    .replace(/\s+/g, ' ');
  const tokens = scorer.tokenize(paragraph);
  const L = scorer.config.maxSeqLength - 2;
  const windows = planWindows(paragraph, tokens, L);
  assert.ok(windows.length >= 10, `${windows.length} windows`);
  const sentenceStarts = windows.slice(1).filter((w) => ['.', '!', '?', ';', ':'].includes(tokens[w.start - 1].piece)).length;
  // Windows of this model are 62 tokens: sentences longer than a quarter of one leave no choice.
  assert.ok(sentenceStarts >= (windows.length - 1) / 3, `${sentenceStarts} of ${windows.length - 1} windows start a sentence`);
  await scorer.score(paragraph);
  // Edits near the start, the middle and the end, each adding a token.
  for (const fraction of [0.1, 0.5, 0.9]) {
    const at = paragraph.indexOf(' the ', Math.floor(paragraph.length * fraction));
    const edited = paragraph.slice(0, at) + ' the the' + paragraph.slice(at + 4);
    assert.equal(scorer.tokenize(edited).length, tokens.length + 1);
    const r = await scorer.score(edited);
    assert.ok(r.windowsComputed >= 1 && r.windowsComputed <= 3, `edit at ${fraction}: ${r.windowsComputed} of ${r.windowsTotal} windows computed`);
    await scorer.score(paragraph); // back to the original (from the cache)
  }
});

test('alternatives: the generator proposes k tokens with probabilities, specials excluded', async () => {
  const text = 'The variable is dropped when it goes out of scope.';
  const at = text.indexOf('scope');
  const alts = await scorer.alternatives(text, at, at + 5, 5);
  assert.equal(alts.length, 5);
  let previous = 1;
  for (const a of alts) {
    assert.ok(a.probability > 0 && a.probability <= previous);
    previous = a.probability;
    assert.ok(!['[PAD]', '[CLS]', '[SEP]', '[MASK]', '[UNK]'].includes(a.piece));
  }
  assert.deepEqual(await scorer.alternatives(text, text.length, text.length + 1, 5), []);
});

test('windows shared between worker threads score as one thread does', async () => {
  // Split every batch, however small the model (micro's windows alone would stay on one thread).
  const parallel = await Scorer.load(run, { backend: 'wasm', workers: 3, workerScript: WORKER_SCRIPT, minFlopsPerThread: 0 });
  try {
    const one = await scorer.score(chapter);
    const three = await parallel.score(chapter);
    assert.ok(three.windowsComputed > 2, `${three.windowsComputed} windows computed`);
    assert.equal(three.tokens.length, one.tokens.length);
    let worst = 0;
    for (let i = 0; i < one.tokens.length; i++) worst = Math.max(worst, Math.abs(one.tokens[i].pReplaced - three.tokens[i].pReplaced));
    assert.ok(worst < 1e-5, `probabilities differ by up to ${worst}`);
  } finally {
    parallel.dispose();
  }
});
