/**
 * The swap fix (src/core/score/swaps.ts): which neighbours a word may trade places with, how
 * the swapped text is written, and the shipped base model putting planted swaps in real prose
 * right while seldom offering a swap on a word that was never swapped.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { adjacentWords } from '../../src/core/score/corrections';
import { Scorer } from '../../src/core/score/scoring';
import { preferredSwaps, swapText } from '../../src/core/score/swaps';
import { paragraphsOfMarkdown } from '../../src/core/quality/prose';
import { swapFixBenchmark } from '../../src/core/quality/swapFixes';
import { readCalibration } from '../../src/core/quality/calibration';
import { thresholdInUse } from '../../src/shared/calibrationFormat';
import { readText, rustBookFiles } from './engineFixtures';

let scorer: Scorer;
let threshold: number;
before(async () => {
  scorer = await Scorer.load(resolve(__dirname, '../../../models/base'), { workers: 1, backend: 'wasm' });
  threshold = thresholdInUse(null, readCalibration(scorer.checkpointDir, scorer.checkpointStep).calibration).value;
});
after(() => scorer.dispose());

const at = (text: string, word: string, from = 0) => ({ start: text.indexOf(word, from), end: text.indexOf(word, from) + word.length });
const words = (text: string, r: { start: number; end: number } | undefined) => r && text.slice(r.start, r.end);

test('a word trades places only with a neighbour across spaces or tabs', () => {
  const text = 'one two\tthree, four\nfive';
  const two = adjacentWords(text, at(text, 'two'));
  assert.deepEqual([words(text, two.before), words(text, two.self), words(text, two.after)], ['one', 'two', 'three']);
  const three = adjacentWords(text, at(text, 'three'));
  assert.deepEqual([words(text, three.before), words(text, three.after)], ['two', undefined], 'not across a comma');
  assert.equal(adjacentWords(text, at(text, 'four')).after, undefined, 'not across a line break');
});

test('the swapped pair keeps a sentence-initial capital at the start', () => {
  const swap = (text: string, a: string, b: string) => swapText(text, at(text, a), at(text, b, text.indexOf(a) + a.length));
  assert.equal(swap('values of same the type', 'same', 'the'), 'the same');
  assert.equal(swap('Went we home. ', 'Went', 'we'), 'We went');
  assert.equal(swap('It rained. Went we home.', 'Went', 'we'), 'We went');
  assert.equal(swap('I think so.', 'I', 'think'), 'Think I', '"I" keeps its capital');
  assert.equal(swap('we saw Rust programs', 'Rust', 'programs'), 'programs Rust', 'a capital inside a sentence stays with its word');
});

test('the base model restores a planted swap in a sentence of the Rust book, and offers none on the sentence as written', async () => {
  const text = 'Vectors can only store values of same the type.';
  const tokens = (await scorer.score(text)).tokens;
  const same = tokens.find((t) => text.slice(t.start, t.end) === 'same')!;
  assert.ok(same.pReplaced >= threshold, `"same" is flagged: ${same.pReplaced}`);
  const [fix] = await preferredSwaps(text, same, threshold, scorer);
  assert.equal(fix?.title, "Swap to 'the same'");
  assert.equal(text.slice(0, fix.edit.start) + fix.edit.newText + text.slice(fix.edit.end), 'Vectors can only store values of the same type.');
  const clean = 'Vectors can only store values of the same type.';
  for (const t of (await scorer.score(clean)).tokens) assert.deepEqual(await preferredSwaps(clean, t, threshold, scorer), [], `no swap for "${clean.slice(t.start, t.end)}"`);
});

test('a word never trades places with a number or a name with underscores: "Listing 10-2" is not two words in the wrong order', async () => {
  // Chapter 10's text as written, where the base model flags "Listing" and, before numbers were
  // left out, found "10-2 Listing" clearly original.
  const text = 'Then, we call the function to find the largest number\nin the two lists from Listing 10-2. We could also use the function on any other';
  const listing = text.indexOf('Listing');
  const offered = await preferredSwaps(text, { start: listing, end: listing + 'Listing'.length }, threshold, scorer);
  assert.ok(offered.every((c) => !/\d/.test(c.edit.newText)), offered.map((c) => c.title).join(', '));
  // Chapter 7's emphasis, where "system_ _module" was offered: no swap moves the markup.
  const emphasis = 'These features, sometimes\ncollectively referred to as the _module system_, include:';
  const module = emphasis.indexOf('module');
  assert.deepEqual(await preferredSwaps(emphasis, { start: module, end: module + 'module'.length }, threshold, scorer), []);
});

test('on planted errors in 40 chapters of the Rust book, the fix restores many flagged swaps and is seldom offered on clean words', async () => {
  const prose = rustBookFiles().slice(0, 40).flatMap((f) => paragraphsOfMarkdown(readText(f)));
  let flagged = 0;
  let restored = 0;
  let wrong = 0;
  let cleanFlagged = 0;
  let cleanOffered = 0;
  for (const seed of [1, 2, 3]) {
    const r = await swapFixBenchmark({ paragraphs: prose, seed, threshold, reader: scorer });
    assert.ok(r.swapsPlanted > 50, `${r.swapsPlanted} swaps planted`);
    flagged += r.swapsFlagged;
    restored += r.restored;
    wrong += r.wrong;
    cleanFlagged += r.cleanFlagged;
    cleanOffered += r.cleanOffered;
  }
  const summary = `restored ${restored} and another swap ${wrong} of ${flagged} flagged swaps; a swap offered on ${cleanOffered} of ${cleanFlagged} flagged clean words`;
  assert.ok(flagged >= 30 && cleanFlagged >= 30, summary);
  assert.ok(restored >= 0.3 * flagged, summary);
  assert.ok(wrong <= 0.05 * flagged, summary);
  assert.ok(cleanOffered <= 0.3 * cleanFlagged, summary);
  // Offered on a real swap far more often than on a word that was never swapped.
  assert.ok(restored / flagged >= 2 * (cleanOffered / cleanFlagged), summary);
});
