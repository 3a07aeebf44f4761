/** Dynamic masking statistics on real Brown sequences, and the replaced-label rule. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corrupt, defaultMasking, maskBatch } from '../../src/core/model/masking';
import { SequencePacker } from '../../src/core/data/packing';
import { Rng } from '../../src/core/common/random';
import { brownTexts, brownTokenizer } from './engineFixtures';

const tokenizer = brownTokenizer(2048, 30);
const special = tokenizer.specialIds;
const T = 128;

function brownBatch(): Int32Array {
  const packer = new SequencePacker(T, special);
  const seqs: Int32Array[] = [];
  for (const text of brownTexts(12)) seqs.push(...packer.push(tokenizer.encode(text).map((t) => t.id)));
  seqs.push(...packer.flush()); // the last one is padded: padding must never be chosen
  const ids = new Int32Array(seqs.length * T);
  seqs.forEach((s, i) => ids.set(s, i * T));
  return ids;
}

test('max_predictions_per_seq follows ELECTRA: int(0.155 * length)', () => {
  assert.equal(defaultMasking(128).maxPredictionsPerSeq, 19);
  assert.equal(defaultMasking(512).maxPredictionsPerSeq, 79);
});

test('masking statistics: 15% of tokens chosen, 85% of those [MASK], specials and padding never', () => {
  const ids = brownBatch();
  const options = defaultMasking(T);
  let chosen = 0;
  let maskTokens = 0;
  let real = 0;
  const perSeq = new Map<number, number>();
  for (let round = 0; round < 20; round++) {
    const m = maskBatch(ids, T, special, options, new Rng(round));
    for (let i = 0; i < m.positions.length; i++) {
      const pos = m.positions[i];
      const original = ids[pos];
      assert.ok(![special.pad, special.cls, special.sep, special.mask].includes(original), `chose special token ${original} at ${pos}`);
      assert.equal(m.targets[i], original);
      if (m.maskedIds[pos] === special.mask) maskTokens++;
      else assert.equal(m.maskedIds[pos], original, 'a chosen position is [MASK] or keeps its token: never a random one');
      const seq = Math.floor(pos / T);
      perSeq.set(seq, (perSeq.get(seq) ?? 0) + 1);
    }
    // Unchosen positions are untouched.
    const chosenSet = new Set(m.positions);
    for (let i = 0; i < ids.length; i++) if (!chosenSet.has(i)) assert.equal(m.maskedIds[i], ids[i]);
    chosen += m.positions.length;
    for (const id of ids) if (id !== special.pad) real++;
    for (const [, n] of perSeq) assert.ok(n <= options.maxPredictionsPerSeq * (round + 1));
  }
  const rate = chosen / real;
  assert.ok(Math.abs(rate - 0.15) < 0.01, `chosen ${rate}`);
  const maskFraction = maskTokens / chosen;
  assert.ok(Math.abs(maskFraction - 0.85) < 0.02, `[MASK] fraction ${maskFraction}`);
});

test('masking is dynamic: a new mask each time, the same mask for the same seed', () => {
  const ids = brownBatch();
  const a = maskBatch(ids, T, special, defaultMasking(T), new Rng(1));
  const b = maskBatch(ids, T, special, defaultMasking(T), new Rng(2));
  const again = maskBatch(ids, T, special, defaultMasking(T), new Rng(1));
  assert.notDeepEqual(Array.from(a.positions), Array.from(b.positions));
  assert.deepEqual(Array.from(a.positions), Array.from(again.positions));
});

test('a short sequence still gets one masked token', () => {
  const ids = new Int32Array(T).fill(special.pad);
  ids.set([special.cls, tokenizer.tokenToId('the')!, special.sep]);
  const m = maskBatch(ids, T, special, defaultMasking(T), new Rng(3));
  assert.deepEqual(Array.from(m.positions), [1]);
});

test('labels: a sampled token equal to the original counts as original', () => {
  const ids = Int32Array.from([special.cls, 10, 11, 12, 13, special.sep]);
  const positions = Int32Array.from([1, 2, 4]);
  const sampled = Int32Array.from([10, 99, 13]); // same, different, same
  const { fakeIds, labels } = corrupt(ids, positions, sampled);
  assert.deepEqual(Array.from(fakeIds), [special.cls, 10, 99, 12, 13, special.sep]);
  assert.deepEqual(Array.from(labels), [0, 0, 1, 0, 0, 0]);
});
