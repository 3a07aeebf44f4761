/**
 * A time-budgeted run's schedule length (src/core/train/timeBudget.ts), fitted to a clock
 * given step by step: the first fit from the second step, the later ones from the pace of the
 * steps since the last fit, so that a run whose steps get faster still ends at its deadline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeBudget } from '../../src/core/train/timeBudget';

/** Runs steps of `msOf(step)` ms each until the deadline or the schedule's end; returns where it stopped. */
function simulate(deadline: number, msOf: (step: number) => number, refitSteps = 50): { steps: number; endedAt: number; fits: number[] } {
  const budget = new TimeBudget(deadline, refitSteps);
  let now = 0;
  let total = 0;
  let step = 0;
  const fits: number[] = [];
  while (now < deadline && (total === 0 || step < total)) {
    budget.beforeStep(step, now);
    now += msOf(step);
    step++;
    const fitted = budget.refit(step, now);
    if (fitted !== undefined) {
      total = fitted;
      fits.push(fitted);
    }
  }
  return { steps: step, endedAt: now, fits };
}

test('steady steps: the first fit, from the second step, is already right, and the run ends at the deadline', () => {
  const r = simulate(600_000, (s) => (s === 0 ? 5_000 : 250));
  assert.equal(r.fits[0], 2 + Math.round((600_000 - 5_250) / 250));
  assert.ok(r.fits.every((f) => Math.abs(f - r.fits[0]) <= 1), `fits ${r.fits.slice(0, 5)}`);
  assert.ok(r.endedAt >= 600_000 - 250 && r.endedAt <= 600_000 + 250, `ended at ${r.endedAt}`);
});

test('steps that get faster: the schedule grows to fill the budget instead of ending a fifth early', () => {
  // The second step takes 300 ms, later ones 250 ms: fitted once, the schedule would end at about 500 s of 600.
  const msOf = (s: number) => (s === 0 ? 2_000 : s < 100 ? 300 : 250);
  const once = 2 + Math.round((600_000 - 2_300) / 300);
  const r = simulate(600_000, msOf);
  assert.equal(r.fits[0], once);
  assert.ok(r.steps > once * 1.15, `${r.steps} steps, ${once} fitted once`);
  assert.ok(r.endedAt >= 600_000 - 250 * 50 && r.endedAt <= 600_000 + 250, `ended at ${r.endedAt} ms`);
  assert.ok(r.fits.at(-1)! >= r.steps && r.fits.at(-1)! <= r.steps + 50, `last fit ${r.fits.at(-1)} for ${r.steps} steps`);
});

test('steps that get slower: the schedule shrinks, so the learning rate still reaches its end near the deadline', () => {
  const msOf = (s: number) => (s < 500 ? 200 : 400);
  const r = simulate(600_000, msOf);
  assert.ok(r.fits[0] > 2_900, `first fit ${r.fits[0]}`);
  assert.ok(r.fits.at(-1)! < 2_000, `last fit ${r.fits.at(-1)}`);
  // The deadline stops it within the last fit's window of the schedule's end.
  assert.ok(r.fits.at(-1)! - r.steps <= 50, `${r.steps} steps, last fit ${r.fits.at(-1)}`);
});

test('nothing is fitted before the second step, nor between refits', () => {
  const budget = new TimeBudget(10_000, 50);
  assert.equal(budget.refit(1, 100), undefined);
  budget.beforeStep(1, 100);
  assert.equal(budget.refit(2, 200), 2 + Math.round(9_800 / 100));
  assert.equal(budget.refit(3, 300), undefined);
  assert.equal(budget.refit(51, 5_000), undefined);
  assert.equal(budget.refit(52, 5_200), 52 + Math.round(4_800 / 100));
});
