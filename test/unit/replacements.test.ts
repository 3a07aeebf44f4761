/** The replacement curriculum on real Brown sequences: the unigram share, its draws and labels. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corrupt, defaultMasking, maskBatch } from '../../src/core/model/masking';
import { planReplacements, UnigramSampler, unigramShareAt, validateCurriculum } from '../../src/core/model/replacements';
import { SequencePacker } from '../../src/core/data/packing';
import { Rng } from '../../src/core/common/random';
import { brownTexts, brownTokenizer } from './engineFixtures';

const tokenizer = brownTokenizer(2048, 30);
const special = tokenizer.specialIds;
const T = 128;

function brownIds(): Int32Array {
  const packer = new SequencePacker(T, special);
  const seqs: Int32Array[] = [];
  for (const text of brownTexts(8)) seqs.push(...packer.push(tokenizer.encode(text).map((t) => t.id)));
  const ids = new Int32Array(seqs.length * T);
  seqs.forEach((s, i) => ids.set(s, i * T));
  return ids;
}

test('the unigram share decays linearly over its fraction of the run, then stays', () => {
  const c = { unigramShareStart: 0.5, unigramShareEnd: 0.1, decayFraction: 0.5 };
  assert.equal(unigramShareAt(c, 0, 1000), 0.5);
  assert.ok(Math.abs(unigramShareAt(c, 250, 1000) - 0.3) < 1e-12);
  assert.ok(Math.abs(unigramShareAt(c, 500, 1000) - 0.1) < 1e-12);
  assert.ok(Math.abs(unigramShareAt(c, 900, 1000) - 0.1) < 1e-12);
  assert.throws(() => validateCurriculum({ ...c, unigramShareStart: 1.5 }), /unigramShareStart/);
});

test('unigram draws follow the corpus frequencies and are never special tokens', () => {
  const ids = brownIds();
  const sampler = UnigramSampler.fromIds(ids, tokenizer.vocabSize, special);
  const rng = new Rng(1);
  const counts = new Map<number, number>();
  for (let i = 0; i < 20000; i++) {
    const t = sampler.sample(rng);
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  for (const s of [special.pad, special.cls, special.sep, special.mask, special.unk]) assert.equal(counts.get(s) ?? 0, 0);
  const the = tokenizer.encode('the')[0].id;
  const real = Array.from(ids).filter((x) => x === the).length / Array.from(ids).filter((x) => x !== special.pad && x !== special.cls && x !== special.sep).length;
  assert.ok(Math.abs(counts.get(the)! / 20000 - real) < 0.01, `"the": drawn ${counts.get(the)! / 20000}, corpus ${real}`);
});

test('planned replacements override the generator at about the share, labelled by inequality', () => {
  const ids = brownIds();
  const masked = maskBatch(ids, T, special, defaultMasking(T, 0.25), new Rng(2));
  const sampler = UnigramSampler.fromIds(ids, tokenizer.vocabSize, special);
  assert.ok(planReplacements(masked, 0, sampler, new Rng(3)).every((x) => x === -1));
  const overrides = planReplacements(masked, 0.4, sampler, new Rng(3));
  const share = overrides.filter((x) => x >= 0).length / overrides.length;
  assert.ok(Math.abs(share - 0.4) < 0.05, `share ${share}`);
  // The generator "samples" the original everywhere: only overridden, different tokens are replaced.
  const { fakeIds, labels } = corrupt(ids, masked.positions, masked.targets, overrides);
  for (let i = 0; i < masked.positions.length; i++) {
    const p = masked.positions[i];
    const expected = overrides[i] >= 0 ? overrides[i] : ids[p];
    assert.equal(fakeIds[p], expected);
    assert.equal(labels[p], expected !== ids[p] ? 1 : 0);
  }
  assert.ok(labels.reduce((a, b) => a + b, 0) > 0.3 * masked.positions.length);
});
