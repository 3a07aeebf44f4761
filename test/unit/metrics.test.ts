import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countBinary, rocAuc, summarizeCounts } from '../../src/core/train/metrics';
import { Rng, deriveSeed, epochPermutation } from '../../src/core/common/random';
import { learningRateAt } from '../../src/core/model/schedule';

/** AUC by definition: the probability that a random positive outranks a random negative. */
function bruteAuc(scores: number[], labels: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

test('ROC-AUC equals the pairwise definition, ties included', () => {
  const rng = new Rng(9);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + rng.int(50);
    const scores = Array.from({ length: n }, () => Math.round(rng.next() * 10) / 10); // many ties
    const labels = scores.map((s) => (rng.next() < 0.3 + 0.4 * s ? 1 : 0));
    assert.ok(Math.abs(rocAuc(scores, labels) - bruteAuc(scores, labels)) < 1e-12);
  }
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [0, 0])));
  assert.equal(rocAuc([0.1, 0.9], [0, 1]), 1);
});

test('precision, recall, F1 and accuracy from counts', () => {
  const c = countBinary([0.9, 0.8, 0.2, 0.6, 0.1], [1, 0, 1, 1, 0]);
  assert.deepEqual(c, { tp: 2, fp: 1, tn: 1, fn: 1 });
  const s = summarizeCounts(c);
  assert.equal(s.precision, 2 / 3);
  assert.equal(s.recall, 2 / 3);
  assert.ok(Math.abs(s.f1 - 2 / 3) < 1e-12);
  assert.equal(s.accuracy, 3 / 5);
});

test('learning rate: linear warm-up, then linear decay to 0', () => {
  const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110 };
  assert.equal(learningRateAt(0, s), 1e-4);
  assert.equal(learningRateAt(9, s), 1e-3);
  assert.ok(Math.abs(learningRateAt(60, s) - 0.5e-3) < 1e-12);
  assert.equal(learningRateAt(110, s), 0);
});

test('seeded streams are reproducible and distinct', () => {
  const a = new Rng(deriveSeed(1, 'mask', 3));
  const b = new Rng(deriveSeed(1, 'mask', 3));
  const c = new Rng(deriveSeed(1, 'mask', 4));
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.nextUint32()));
  const p = epochPermutation(1000, 5, 0);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual(Array.from(p), Array.from(epochPermutation(1000, 5, 1)));
});
