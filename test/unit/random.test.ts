/** The seeded streams: fillBernoulli draws exactly what Rng draws. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillBernoulli, Rng } from '../../src/core/common/random';

test('fillBernoulli gives the draws of Rng.nextUint32, in order, for any threshold', () => {
  for (const seed of [0, 1, 42, 0xffffffff, 123456789]) {
    for (const threshold of [0, 1, 429496729, 2 ** 31, 2 ** 31 + 5, 2 ** 32 - 1, 2 ** 32]) {
      const out = new Float32Array(1000).fill(-1);
      fillBernoulli(out, 100, 900, seed, threshold, 0, 2);
      const rng = new Rng(seed);
      for (let i = 0; i < 1000; i++) {
        const want = i < 100 || i >= 900 ? -1 : rng.nextUint32() < threshold ? 0 : 2;
        assert.equal(out[i], want, `seed ${seed}, threshold ${threshold}, index ${i}`);
      }
    }
  }
});

test('a dropout threshold of 10% drops about 10%', () => {
  const out = new Float32Array(100_000);
  fillBernoulli(out, 0, out.length, 7, Math.floor(0.1 * 2 ** 32), 0, 1);
  const dropped = out.reduce((a, v) => a + (v === 0 ? 1 : 0), 0) / out.length;
  assert.ok(Math.abs(dropped - 0.1) < 0.005, `dropped ${dropped}`);
});
