/** The context probe: its task's labels depend only on the previous token, and a run reports its curve. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { contextProbe, contextProbeBatch } from '../../src/core/quality/contextProbe';
import { Rng } from '../../src/core/common/random';
import { initBackend } from '../../src/core/wasm/backend';

before(async () => {
  await initBackend('wasm');
});

test('a token is labelled 1 exactly when the token before it is a cue (the first eighth of the vocabulary)', () => {
  const T = 64;
  const V = 200;
  const cue = 5 + Math.floor((V - 5) / 8);
  const { ids, labels } = contextProbeBatch(new Rng(3), 32, T, V);
  let positives = 0;
  for (let i = 0; i < ids.length; i++) {
    const t = i % T;
    if (t === 0) assert.equal(ids[i], 2, '[CLS] opens every sequence');
    else assert.ok(ids[i] >= 5 && ids[i] < V, `token ${ids[i]}`);
    const expected = t > 1 && ids[i - 1] < cue ? 1 : 0;
    assert.equal(labels[i], expected, `position ${i}`);
    positives += expected;
  }
  // The token's own id says nothing: cues are as common after a positive as anywhere.
  const rate = positives / (32 * (T - 2));
  assert.ok(rate > 0.08 && rate < 0.17, `positive rate ${rate}`);
});

test('a probe run trains and reports the AUC every evalEvery steps', async () => {
  const result = await contextProbe({ preset: 'micro', learningRate: 1e-3, steps: 20, evalEvery: 10, batchSize: 4, seqLength: 16 });
  assert.deepEqual(result.curve.map((p) => p.step), [10, 20]);
  for (const p of result.curve) assert.ok(p.auc >= 0 && p.auc <= 1, `AUC ${p.auc}`);
  assert.equal(result.learnedAt, result.curve.find((p) => p.auc >= 0.9)?.step);
});
