/**
 * A new run's settings (src/core/train/settings.ts): from scratch they follow the preset and
 * TRAINING_DEFAULTS; continued from a model, CONTINUATION_DEFAULTS fill what the options leave
 * out; what the options say always wins.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveNewRun, type PretrainOptions } from '../../src/core/train/settings';
import { presetConfig, presetTraining } from '../../src/core/model/presets';
import { CONTINUATION_DEFAULTS, FROM_SCRATCH_DEFAULTS, TRAINING_DEFAULTS } from '../../src/shared/defaults';

const options: PretrainOptions = { corpus: { kind: 'brown' }, outDir: 'unused', preset: 'tiny', steps: 10 };

test("from scratch: the preset's rate, the short-run recipe, an error stage at the end, neighbour heads by default", () => {
  const { training } = resolveNewRun(options);
  assert.equal(training.learningRate, presetTraining('tiny').learningRate);
  assert.equal(training.dropout, FROM_SCRATCH_DEFAULTS.dropout);
  assert.equal(training.maskProbability, FROM_SCRATCH_DEFAULTS.maskProbability);
  assert.deepEqual(training.curriculum, FROM_SCRATCH_DEFAULTS.curriculum);
  assert.deepEqual([training.syntheticErrors, training.syntheticErrorsFrom], [FROM_SCRATCH_DEFAULTS.syntheticErrors, FROM_SCRATCH_DEFAULTS.syntheticErrorsFrom]);
  assert.ok(FROM_SCRATCH_DEFAULTS.syntheticErrorsFrom > 0, 'pre-training comes first');
  const noStage = resolveNewRun({ ...options, syntheticErrors: 0 }).training;
  assert.equal(noStage.syntheticErrors, 0);
  assert.equal(resolveNewRun({ ...options, syntheticErrorsFrom: 0 }).training.syntheticErrorsFrom, 0);
  assert.throws(() => resolveNewRun({ ...options, syntheticErrorsFrom: 1 }), /synthetic errors' start must be a share of the run from 0 to below 1, got 1/);
  assert.equal(training.neighbourHeads, TRAINING_DEFAULTS.neighbourHeads ? true : undefined);
  assert.equal(resolveNewRun({ ...options, neighbourHeads: false }).training.neighbourHeads, undefined);
  // A masked LM gets neighbour heads too (in its one encoder), but BERT's masks and dropout, and no synthetic errors.
  const mlm = resolveNewRun({ ...options, objective: 'mlm' }).training;
  assert.deepEqual([mlm.maskProbability, mlm.dropout, mlm.syntheticErrors, mlm.curriculum?.unigramShareStart], [0.15, 0.1, 0, 0]);
});

test('continued from a model: the continuation defaults, the model keeping its attention; options still win', () => {
  const { training } = resolveNewRun({ ...options, startFrom: 'models/base' });
  assert.equal(training.learningRate, CONTINUATION_DEFAULTS.learningRate);
  assert.equal(training.dropout, CONTINUATION_DEFAULTS.dropout);
  assert.equal(training.syntheticErrors, CONTINUATION_DEFAULTS.syntheticErrors);
  assert.equal(training.syntheticErrorsFrom, 0, 'throughout the run');
  assert.equal(training.neighbourHeads, undefined);
  const told = resolveNewRun({ ...options, startFrom: 'models/base', learningRate: 3e-4, dropout: 0.1, syntheticErrors: 0, neighbourHeads: true }).training;
  assert.deepEqual([told.learningRate, told.dropout, told.syntheticErrors, told.neighbourHeads], [3e-4, 0.1, 0, true]);
  // Continuing a masked LM: its objective decides, so no synthetic errors by default, and asking for them is refused.
  const mlm = resolveNewRun({ ...options, startFrom: 'runs/mlm' }, 'mlm');
  assert.equal(mlm.config.objective, 'mlm');
  assert.equal(mlm.training.syntheticErrors, 0);
  assert.equal(mlm.training.learningRate, CONTINUATION_DEFAULTS.learningRate);
  assert.throws(() => resolveNewRun({ ...options, startFrom: 'runs/mlm', syntheticErrors: 0.5 }, 'mlm'), /a masked LM has none/);
});

test('the vocabulary follows the corpus from scratch, unless its size is given; a continued run keeps its model\'s', () => {
  assert.equal(resolveNewRun(options).vocabSizeFromCorpus, true);
  assert.equal(resolveNewRun(options).config.vocabSize, presetConfig('tiny').vocabSize, "the preset's size is the ceiling");
  assert.equal(resolveNewRun({ ...options, objective: 'mlm' }).vocabSizeFromCorpus, true);
  const given = resolveNewRun({ ...options, config: { vocabSize: 8192 } });
  assert.deepEqual([given.vocabSizeFromCorpus, given.config.vocabSize], [false, 8192]);
  assert.equal(resolveNewRun({ ...options, startFrom: 'models/base' }).vocabSizeFromCorpus, false);
});

test("the generator size sets the generator's width as ELECTRA's generator_hidden_size does; only for a new ELECTRA run", () => {
  const preset = resolveNewRun(options).config;
  const half = resolveNewRun({ ...options, generatorSize: 0.5 }).config;
  assert.deepEqual(half.generator, { hiddenSize: 64, numHiddenLayers: 4, numAttentionHeads: 1, intermediateSize: 256 });
  assert.deepEqual(half.discriminator, preset.discriminator);
  // A quarter is what the tiny preset has.
  assert.deepEqual(resolveNewRun({ ...options, generatorSize: 0.25 }).config.generator, preset.generator);
  assert.throws(() => resolveNewRun({ ...options, generatorSize: 0.5, startFrom: 'models/base' }), /the starting model's when continuing/);
  assert.throws(() => resolveNewRun({ ...options, generatorSize: 0.5, objective: 'mlm' }), /a masked LM has no separate generator/);
});
