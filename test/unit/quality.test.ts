/**
 * The error-detection benchmark on real text (Brown, the Rust book): planting produces the
 * kinds it claims at the places it reports, the metrics on hand-made cases, the Kneser-Ney
 * trigram is a distribution, word alignment, and the whole benchmark with a real checkpoint.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { CONFUSABLES } from '../../src/core/quality/confusables';
import { detectionMetrics, maxFlagsWithin, thresholdForFalseFlagBound, thresholdForFalseFlags } from '../../src/core/quality/metrics';
import { Rng } from '../../src/core/common/random';
import { KneserNeyTrigram, sentenceWords } from '../../src/core/quality/ngram';
import { ERROR_KINDS, plantErrors } from '../../src/core/quality/plantErrors';
import { joinParagraphs, paragraphsOfLines, paragraphsOfMarkdown } from '../../src/core/quality/prose';
import { replaceWords } from '../../src/core/quality/replacedWords';
import { ModelWordGenerator, trigramWordGenerator } from '../../src/core/quality/wordGenerator';
import { findLatestCheckpoint } from '../../src/core/run/checkpoint';
import { wordScores, wordsOf } from '../../src/core/quality/words';
import { errorBenchmark } from '../../src/core/quality/errorBenchmark';
import { Scorer } from '../../src/core/score/scoring';
import { pretrain } from '../../src/core/train/pretrain';
import { brownTexts, readText, rustBookCorpus, rustBookFiles, tempDir } from './engineFixtures';

const brown = brownTexts(20).flatMap(paragraphsOfLines);
const baseModel = resolve(__dirname, '../../../models/base');

function trigramOn(texts: string[]): KneserNeyTrigram {
  const m = new KneserNeyTrigram();
  m.add(texts.flatMap((t) => t.split('\n')).map(sentenceWords));
  return m;
}

test('planting: every kind, one error per corrupted sentence, planted words where the report says', () => {
  const planted = plantErrors(brown, { seed: 7 });
  const sentences = brown.flat();
  const lines = planted.text.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, sentences.length);
  const counts = new Map(ERROR_KINDS.map((k) => [k, 0]));
  for (const e of planted.errors) counts.set(e.kind, counts.get(e.kind)! + 1);
  for (const k of ERROR_KINDS) assert.ok(counts.get(k)! > 50, `${k}: ${counts.get(k)}`);
  assert.ok(Math.abs(planted.errors.length - sentences.length / 2) <= 1, 'half the sentences are corrupted');

  const corrupted = new Set(planted.errors.map((e) => e.sentence));
  lines.forEach((line, i) => {
    if (!corrupted.has(i)) assert.equal(line, sentences[i], 'a clean sentence is unchanged');
  });
  planted.errors.forEach((e, index) => {
    const words = planted.words.filter((_, w) => planted.errorOf[w] === index).map((w) => w.text);
    assert.notEqual(lines[e.sentence], sentences[e.sentence]);
    switch (e.kind) {
      case 'confusable':
        assert.equal(words.length, 1);
        assert.equal(words[0], e.after);
        assert.ok(CONFUSABLES.get(e.before.toLowerCase())!.includes(e.after.toLowerCase()), `${e.before} -> ${e.after}`);
        break;
      case 'doubled':
        assert.deepEqual(words, [e.before, e.before]);
        assert.ok(lines[e.sentence].includes(`${e.before} ${e.before}`));
        break;
      case 'replaced':
        assert.equal(words.length, 1);
        assert.notEqual(words[0].toLowerCase(), e.before.toLowerCase());
        {
          const [now, was] = [wordsOf(lines[e.sentence]).map((w) => w.text), wordsOf(sentences[e.sentence]).map((w) => w.text)];
          assert.equal(now.length, was.length);
          const changed = now.map((w, i) => i).filter((i) => now[i] !== was[i]);
          assert.equal(changed.length, 1);
          assert.deepEqual([was[changed[0]], now[changed[0]]], [e.before, e.after]);
        }
        break;
      case 'swapped':
        assert.equal(words.join(' '), e.after);
        assert.deepEqual(e.after.split(' '), e.before.split(' ').reverse());
        break;
    }
  });
  // Every word of a corrupted sentence is either planted or not in a clean sentence.
  planted.words.forEach((w, i) => {
    if (planted.errorOf[i] >= 0) assert.equal(planted.inCleanSentence[i], 0);
  });
});

test('planting is deterministic for a seed and differs across seeds', () => {
  assert.equal(plantErrors(brown, { seed: 3 }).text, plantErrors(brown, { seed: 3 }).text);
  assert.notEqual(plantErrors(brown, { seed: 3 }).text, plantErrors(brown, { seed: 4 }).text);
});

test('Markdown prose keeps running text and drops code, headings and lists', () => {
  const chapter = readText(rustBookFiles().find((f) => f.includes('ch04-01'))!);
  const paragraphs = paragraphsOfMarkdown(chapter);
  const sentences = paragraphs.flat();
  assert.ok(sentences.length > 40, `${sentences.length} sentences`);
  for (const s of sentences) {
    assert.doesNotMatch(s, /[`#[\]{}<>]/);
    assert.match(s, /[.!?]["')]?$/);
  }
  assert.ok(!sentences.some((s) => s.includes('fn main')));
});

test('metrics: perfect, inverted and constant scores; false flags on clean sentences only', () => {
  const planted = plantErrors(brown.slice(0, 60), { seed: 1 });
  const truth = Float64Array.from(planted.errorOf, (e) => (e >= 0 ? 1 : 0));
  const perfect = detectionMetrics(planted, truth, 0.5);
  for (const k of [...ERROR_KINDS, 'all'] as const) {
    assert.equal(perfect.perKind[k].auc, 1);
    assert.equal(perfect.perKind[k].recall, 1);
  }
  assert.equal(perfect.falseFlagsPer1000, 0);
  const inverted = detectionMetrics(planted, truth.map((x) => 1 - x), 0.5);
  assert.equal(inverted.perKind.all.auc, 0);
  assert.equal(inverted.perKind.all.recall, 0);
  assert.equal(inverted.falseFlagsPer1000, 1000);
  const constant = detectionMetrics(planted, truth.map(() => 0.3), 0.5);
  assert.equal(constant.perKind.all.auc, 0.5);
  assert.equal(constant.perKind.all.recall, 0);
  assert.equal(constant.cleanWords, planted.inCleanSentence.reduce((a, b) => a + b, 0));
});

test('thresholdForFalseFlags: at most the budget per 1,000, and no lower threshold would do', () => {
  const scores = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
  const t = thresholdForFalseFlags(scores, 5);
  assert.equal(scores.filter((s) => s >= t).length, 10);
  assert.ok(scores.filter((s) => s >= 1989).length > 10, 'the next score down would flag more');
  assert.equal(thresholdForFalseFlags([1, 1, 1], 5), 1 + 1e-9);
});

test('maxFlagsWithin: the largest k with P(X <= k) <= alpha, against the binomial summed term by term', () => {
  // Each term as C(n, k) p^k (1-p)^(n-k), multiplied out: an independent computation.
  const cdf = (n: number, p: number, k: number) => {
    let total = 0;
    for (let i = 0; i <= k; i++) {
      let term = Math.pow(1 - p, n - i) * Math.pow(p, i);
      for (let j = 0; j < i; j++) term *= (n - j) / (j + 1);
      total += term;
    }
    return total;
  };
  for (const [n, p, alpha] of [[1000, 0.005, 0.05], [400, 0.02, 0.05], [600, 0.005, 0.05], [300, 0.1, 0.01], [20000, 0.005, 0.05]] as const) {
    const k = maxFlagsWithin(n, p, alpha);
    if (n <= 1000) {
      if (k >= 0) assert.ok(cdf(n, p, k) <= alpha, `n ${n} p ${p}: P(X <= ${k}) = ${cdf(n, p, k)}`);
      assert.ok(cdf(n, p, k + 1) > alpha, `n ${n} p ${p}: k ${k} is the largest`);
    }
    assert.ok(k < n * p, `n ${n} p ${p}: k ${k} is below the mean`);
  }
  assert.equal(maxFlagsWithin(1000, 0.005, 0.05), 1);
  assert.equal(maxFlagsWithin(100, 0.005, 0.05), -1, 'a hundred words cannot bound a rate of 5 per 1,000');
});

test('thresholdForFalseFlagBound keeps the rate within the budget on new samples with its confidence; the in-sample fit does not', () => {
  // Clean scores uniform in [0, 1): the threshold t flags a share 1 - t of any new text.
  const rng = new Rng(11);
  let bounded = 0;
  let inSample = 0;
  const trials = 200;
  for (let trial = 0; trial < trials; trial++) {
    const sample = Array.from({ length: 5000 }, () => rng.next());
    if (1 - thresholdForFalseFlagBound(sample, 5, 0.95) <= 0.005) bounded++;
    if (1 - thresholdForFalseFlags(sample, 5) <= 0.005) inSample++;
  }
  assert.ok(bounded >= 0.92 * trials, `the bound held in ${bounded} of ${trials} samples`);
  assert.ok(inSample < 0.7 * trials, `the in-sample fit held in ${inSample} of ${trials} samples`);
  const scores = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
  const k = maxFlagsWithin(2000, 0.005, 0.05);
  const t = thresholdForFalseFlagBound(scores, 5, 0.95);
  assert.equal(scores.filter((s) => s >= t).length, k, 'it flags exactly the k the binomial allows');
  assert.equal(thresholdForFalseFlagBound(scores.slice(0, 100), 5, 0.95), Infinity, 'too few words to bound: nothing is flagged');
});

test('word alignment: a word takes the maximum over its pieces; punctuation is no word', () => {
  const text = "They're unbelievably late, aren't they?";
  const words = wordsOf(text);
  assert.deepEqual(words.map((w) => w.text), ["They're", 'unbelievably', 'late', "aren't", 'they']);
  const pieces = [
    [0, 4, 0.1], [4, 5, 0.7], [5, 7, 0.2], [8, 10, 0.3], [10, 20, 0.9], [21, 25, 0.05], [25, 26, 0.99],
    [27, 31, 0.4], [31, 32, 0.1], [32, 33, 0.6], [34, 38, 0.2], [38, 39, 0.8],
  ].map(([start, end, score]) => ({ start, end, score }));
  assert.deepEqual(Array.from(wordScores(words, pieces)), [0.7, 0.9, 0.05, 0.6, 0.2]);
});

test('Kneser-Ney trigram: a probability distribution in every context, and it prefers the real sentence', () => {
  const m = trigramOn(brownTexts(30));
  const vocab = new Set<string>(['</s>']);
  for (const t of brownTexts(30)) for (const l of t.split('\n')) for (const w of sentenceWords(l)) vocab.add(w);
  for (const [u, v] of [['of', 'the'], ['<s>', '<s>'], ['zzz', 'qqq'], ['the', 'jury']]) {
    let total = m.probability('never-seen-word', u, v);
    for (const w of vocab) total += m.probability(w, u, v);
    assert.ok(Math.abs(total - 1) < 1e-9, `P(. | ${u} ${v}) sums to ${total}`);
  }
  const real = sentenceWords('The jury said it did find that the election was conducted.');
  const swapped = sentenceWords('The jury said it did find that election the was conducted.');
  const logp = (ws: string[]) => m.wordScores(ws).reduce((a, b) => a + b, 0);
  assert.ok(logp(real) < logp(swapped));
});

test('fixed generator: replaces about 15% of words, draws are words of its training text', async () => {
  const m = trigramOn(brownTexts(30));
  const generator = trigramWordGenerator(m, 'trigram');
  const prose = brownTexts(40).slice(30).flatMap(paragraphsOfLines);
  const r = await replaceWords(prose, generator, { seed: 2 });
  const rate = r.replaced.reduce((a, b) => a + b, 0) / r.words.length;
  assert.ok(rate > 0.08 && rate < 0.16, `replaced ${rate}`);
  assert.ok(r.generatorTop1 > 0.05 && r.generatorTop1 < 0.6, `top-1 ${r.generatorTop1}`);
  assert.equal((await replaceWords(prose, generator, { seed: 2 })).text, r.text);
  const vocabulary = new Set(brownTexts(30).flatMap((t) => t.split('\n')).flatMap(sentenceWords));
  const originals = wordsOf(joinParagraphs(prose));
  r.words.forEach((w, i) => {
    if (r.replaced[i]) assert.ok(vocabulary.has(w.text.toLowerCase()), `${w.text} (for ${originals[i].text}) is not a word of the training text`);
    else assert.equal(w.text, originals[i].text);
  });
});

test("a model's generator as the fixed generator: the same positions drawn, whole words of its vocabulary, its top-1 measured", async () => {
  const prose = brownTexts(40).slice(30).flatMap(paragraphsOfLines).slice(0, 60);
  const generator = await ModelWordGenerator.load(baseModel, { backend: 'wasm' });
  try {
    const r = await replaceWords(prose, generator, { seed: 2 });
    const byTrigram = await replaceWords(prose, trigramWordGenerator(trigramOn(brownTexts(30)), 'trigram'), { seed: 2 });
    assert.equal(r.drawn, byTrigram.drawn, 'both generators draw at the same positions');
    const rate = r.replaced.reduce((a, b) => a + b, 0) / r.words.length;
    assert.ok(rate > 0.06 && rate < 0.16, `replaced ${rate}`);
    assert.ok(r.generatorTop1 >= 0 && r.generatorTop1 < 0.5, `top-1 ${r.generatorTop1}`);
    const vocabulary = new Set(readFileSync(join(findLatestCheckpoint(baseModel)!, 'vocab.txt'), 'utf8').split('\n'));
    const originals = wordsOf(joinParagraphs(prose));
    r.words.forEach((w, i) => {
      if (!r.replaced[i]) return assert.equal(w.text, originals[i].text);
      assert.match(w.text, /^[A-Za-z]+$/);
      assert.ok(vocabulary.has(w.text.toLowerCase()), `${w.text} is a whole word of the generator's vocabulary`);
    });
    assert.equal((await replaceWords(prose, generator, { seed: 2 })).text, r.text, 'deterministic for a seed');

    // One word drawn: the generator's most likely word is the first whole word among the
    // alternatives the scorer's generator gives for that token masked (another path to the model).
    const sentence = 'The jury said it did find that the election was conducted.';
    const words = wordsOf(sentence);
    const scorer = await Scorer.load(baseModel, { backend: 'wasm', workers: 1 });
    try {
      for (const target of ['jury', 'said', 'find', 'was']) {
        const i = words.findIndex((w) => w.text === target);
        const [[drawn]] = await generator.draw([{ sentence, words, drawn: [i], uniforms: [0.5] }]);
        const alternatives = await scorer.alternatives(sentence, words[i].start, words[i].end, 200);
        assert.equal(scorer.tokenize(sentence).filter((t) => t.start >= words[i].start && t.end <= words[i].end).length, 1, `${target} is one piece`);
        assert.equal(drawn?.best, alternatives.find((a) => /^[a-z]+$/.test(a.piece))?.piece, target);
      }
    } finally {
      scorer.dispose();
    }
  } finally {
    generator.dispose();
  }
});

const scratch = tempDir('quality');
let run: string;
before(async () => {
  const corpus = rustBookCorpus(join(scratch.path, 'corpus'));
  run = join(scratch.path, 'run');
  await pretrain({ corpus: { kind: 'folder', root: corpus }, outDir: run, preset: 'micro', steps: 10, batchSize: 4, backend: 'wasm', evalEvery: 0, checkpointEvery: 0 });
});
after(() => scratch.cleanup());

test('the benchmark scores real text with a checkpoint and reports every kind beside both baselines', async () => {
  const scorer = await Scorer.load(run, { backend: 'wasm' });
  try {
    const prose = rustBookFiles().slice(20, 26).flatMap((f) => paragraphsOfMarkdown(readText(f)));
    const baseline = trigramOn(rustBookFiles().slice(0, 12).map(readText));
    const report = await errorBenchmark({
      paragraphs: prose,
      baseline,
      generator: trigramWordGenerator(baseline, 'trigram'),
      seed: 5,
      models: [{ name: 'micro', threshold: 0.5, score: async (text) => (await scorer.score(text)).tokens.map((t) => ({ start: t.start, end: t.end, score: t.pReplaced })) }],
    });
    assert.deepEqual(report.systems.map((s) => s.name), ['micro', 'trigram (Kneser-Ney)', 'rarity (-log frequency)']);
    for (const s of report.systems) {
      for (const k of [...ERROR_KINDS, 'all'] as const) {
        const auc = s.calibrated.perKind[k].auc;
        assert.ok(auc >= 0 && auc <= 1, `${s.name} ${k} AUC ${auc}`);
      }
      assert.ok(s.replacedAuc >= 0 && s.replacedAuc <= 1);
      assert.ok(s.calibrated.falseFlagsPer1000 <= report.falseFlagBudget);
    }
    assert.ok(report.systems[0].atDefault !== undefined && report.systems[1].atDefault === undefined);
    for (const k of ERROR_KINDS) assert.ok((report.errors[k] ?? 0) > 5, `${k}: ${report.errors[k]}`);
    assert.ok(report.replaced.replaced > 50);
  } finally {
    scorer.dispose();
  }
});
