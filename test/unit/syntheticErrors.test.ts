/** Synthetic real-word errors planted in real Brown sequences: where, which kinds, and the labels the discriminator gets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corrupt, defaultMasking, maskBatch } from '../../src/core/model/masking';
import { ERROR_WORD_RATE, errorShareAt, errorVocabulary, plantErrorRows } from '../../src/core/model/syntheticErrors';
import { splitBatch } from '../../src/core/parallel/shards';
import { attentionMaskOf } from '../../src/core/train/batches';
import { SequencePacker } from '../../src/core/data/packing';
import { Rng } from '../../src/core/common/random';
import { brownTexts, brownTokenizer } from './engineFixtures';

const tokenizer = brownTokenizer(2048, 30);
const special = tokenizer.specialIds;
const vocab = errorVocabulary(tokenizer);

function brownIds(T: number, files = 8): Int32Array {
  const packer = new SequencePacker(T, special);
  const seqs: Int32Array[] = [];
  for (const text of brownTexts(files)) seqs.push(...packer.push(tokenizer.encode(text).map((t) => t.id)));
  const ids = new Int32Array(seqs.length * T);
  seqs.forEach((s, i) => ids.set(s, i * T));
  return ids;
}

const equal = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((x, i) => x === b[i]);

/**
 * What one planted error did to a row, from the original and corrupted rows: the labelled
 * run [a, b) is compared with the original there, and the rest of the row must follow
 * unchanged (shifted by the length difference, cut at the row's end).
 */
function kindOf(original: Int32Array, corrupted: Int32Array, a: number, b: number): string {
  const rest = (from: number, origFrom: number) => {
    const n = Math.min(corrupted.length - 1 - from, original.length - 1 - origFrom); // the final [SEP] is put back
    return n <= 0 || equal(corrupted.subarray(from, from + n), original.subarray(origFrom, origFrom + n));
  };
  const span = corrupted.subarray(a, b);
  // The original word at a: its first piece and the continuations after it.
  let w = a + 1;
  while (w < original.length && vocab.continuation[original[w]]) w++;
  const word = original.subarray(a, w);
  if (span.length === 2 * word.length && equal(span.subarray(0, word.length), word) && equal(span.subarray(word.length), word) && rest(b, w)) return 'doubled';
  let v = w + 1;
  while (v < original.length && vocab.continuation[original[v]]) v++;
  const next = original.subarray(w, v);
  if (span.length === v - a && equal(span.subarray(0, next.length), next) && equal(span.subarray(next.length), word) && rest(b, v)) return 'swapped';
  let s = 1;
  while (s < span.length && vocab.continuation[span[s]]) s++;
  if (s === span.length && !equal(span, word) && rest(b, w)) {
    return span.length === 1 && word.length === 1 && vocab.confusables.get(word[0])?.includes(span[0]) ? 'confusable' : 'replaced';
  }
  return 'unexplained';
}

test("an error stage starts at its share of the run's steps, and not before the run's length is known", () => {
  assert.deepEqual([0, 79, 80, 99].map((step) => errorShareAt(0.8, 0.8, step, 100)), [0, 0, 0.8, 0.8]);
  assert.equal(errorShareAt(0.5, 0, 0, 0), 0.5, 'from the first step, length known or not');
  assert.equal(errorShareAt(0.8, 0.8, 5000, 0), 0, 'a time budget before its first fit');
  // A refit that lengthens the run moves the stage with it.
  assert.equal(errorShareAt(0.8, 0.8, 850, 1000), 0.8);
  assert.equal(errorShareAt(0.8, 0.8, 850, 1100), 0);
});

test('the error vocabulary knows word starts, continuations and one-piece confusables', () => {
  const [their, there, ing] = ['their', 'there', '##ing'].map((p) => tokenizer.tokenToId(p)!);
  assert.equal(vocab.wordStart[their], 1);
  assert.equal(vocab.continuation[ing], 1);
  assert.equal(vocab.wordStart[tokenizer.tokenToId(',')!], 0, 'punctuation is not a word');
  assert.equal(vocab.wordStart[special.sep], 0);
  assert.ok(vocab.confusables.get(their)!.includes(there));
});

test('errors go into the chosen sequences only, one kind each, labelled on every piece, rows keep their length', () => {
  const T = 32; // short rows: one error each (about a word in ERROR_WORD_RATE)
  const original = brownIds(T, 10);
  const B = original.length / T;
  const ids = original.slice();
  const mask = attentionMaskOf(ids, special.pad);
  const rows = Array.from({ length: B }, (_, b) => b).filter((b) => b % 2 === 0);
  const labels = plantErrorRows(ids, mask, T, rows, vocab, special, new Rng(7));
  const kinds = new Map<string, number>();
  for (let b = 0; b < B; b++) {
    const row = (x: Int32Array) => x.subarray(b * T, (b + 1) * T);
    const rowLabels = labels.subarray(b * T, (b + 1) * T);
    assert.ok(equal(mask.subarray(b * T, (b + 1) * T), attentionMaskOf(row(ids), special.pad)), `row ${b}: the attention mask follows the padding`);
    if (b % 2 === 1) {
      assert.ok(equal(row(ids), row(original)) && rowLabels.every((l) => l === 0), `row ${b} was not chosen and stays as it was`);
      continue;
    }
    const real = row(original).filter((id) => id !== special.pad);
    const now = row(ids).filter((id) => id !== special.pad);
    if (real[real.length - 1] === special.sep) assert.equal(now[now.length - 1], special.sep, 'the final [SEP] stays');
    const a = rowLabels.indexOf(1);
    if (a < 0) continue; // a row with too few words for an error
    let end = a;
    while (end < T && rowLabels[end] === 1) end++;
    assert.equal(rowLabels.indexOf(1, end), -1, `row ${b}: one error in a short row`);
    assert.equal(vocab.continuation[row(ids)[a]], 0, 'a planted word starts with a word piece');
    const kind = kindOf(row(original), row(ids), a, end);
    assert.notEqual(kind, 'unexplained', `row ${b}: ${tokenizer.decode(Array.from(row(original)))} -> ${tokenizer.decode(Array.from(row(ids)))}`);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  for (const k of ['confusable', 'doubled', 'replaced', 'swapped']) assert.ok((kinds.get(k) ?? 0) >= 5, `kind ${k}: ${kinds.get(k) ?? 0} (${[...kinds]})`);
});

test('a longer sequence gets about one error in ERROR_WORD_RATE words, kept apart', () => {
  const T = 128;
  const ids = brownIds(T, 6);
  const B = ids.length / T;
  const labels = plantErrorRows(ids, attentionMaskOf(ids, special.pad), T, Array.from({ length: B }, (_, b) => b), vocab, special, new Rng(3));
  let runs = 0;
  let words = 0;
  for (let i = 0; i < ids.length; i++) {
    if (labels[i] === 1 && (i % T === 0 || labels[i - 1] === 0)) runs++;
    if (vocab.wordStart[ids[i]]) words++;
  }
  // A doubled or swapped pair is one labelled run of two words; errors never touch.
  const perRow = runs / B;
  const expected = words / B / ERROR_WORD_RATE;
  assert.ok(perRow > 0.6 * expected && perRow < 1.3 * expected, `${perRow.toFixed(2)} errors a row, expected about ${expected.toFixed(2)}`);
});

test('sequences with errors are not masked; their labels reach the discriminator and the shards', () => {
  const T = 64;
  const ids = brownIds(T, 3).subarray(0, 8 * T).slice();
  const mask = attentionMaskOf(ids, special.pad);
  const rows = new Set([1, 4, 6]);
  const errorLabels = plantErrorRows(ids, mask, T, [...rows], vocab, special, new Rng(11));
  const masked = maskBatch(ids, T, special, defaultMasking(T), new Rng(2), rows);
  assert.ok(masked.positions.length > 0);
  for (const p of masked.positions) assert.ok(!rows.has(Math.floor(p / T)), `position ${p} is in an error row`);
  masked.errorLabels = errorLabels;
  const sampled = masked.targets.map((t) => (t + 1) % tokenizer.vocabSize);
  const { labels } = corrupt(ids, masked.positions, sampled, undefined, errorLabels);
  for (let i = 0; i < ids.length; i++) {
    const inErrorRow = rows.has(Math.floor(i / T));
    if (inErrorRow) assert.equal(labels[i], errorLabels[i]);
  }
  assert.ok(errorLabels.some((l) => l === 1));
  const shards = splitBatch({ ids, attentionMask: mask, batchSize: 8, seqLength: T }, masked, 3);
  const joined = shards.flatMap((s) => Array.from(s.masked.errorLabels!));
  assert.ok(equal(joined, errorLabels), 'the shards carry their rows of the labels');
});
