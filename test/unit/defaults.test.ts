/**
 * One set of defaults: package.json's `contributes.configuration` (what VS Code shows and
 * falls back to) says what src/shared/defaults.ts says, setting by setting (default,
 * choices, bounds), and the preset table (src/core/model/presets.ts) has a row, with the
 * description the settings UI shows, for every preset name. The engine and the hosts read
 * the same values: the corpus walk's options and the CLI's option defaults come from the module.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  ANNOTATION_SEVERITIES,
  CALIBRATION_DEFAULTS,
  BACKEND_PREFERENCES,
  CORPUS_DEFAULTS,
  EVAL_COMMAND_DEFAULTS,
  PRESET_NAMES,
  SCORING_DEFAULTS,
  SETTING_DEFAULTS,
  SETTING_ENUMS,
  SETTING_LIMITS,
  TRAINING_DEFAULTS,
  type SettingKey,
} from '../../src/shared/defaults';
import { PRESETS, presetConfig, presetTraining, presetWarmupSteps } from '../../src/core/model/presets';
import { validateConfig } from '../../src/core/model/config';
import { DEFAULT_CORPUS_OPTIONS } from '../../src/core/data/corpus';

interface SettingSchema {
  default?: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
}

const PREFIX = 'electraStudio.';
const packageJson = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
};
const properties = packageJson.contributes.configuration.properties;

/** The differences between package.json's settings and the defaults module, one line each. */
function settingDifferences(props: Record<string, SettingSchema>): string[] {
  const problems: string[] = [];
  const declared = Object.keys(props).map((k) => k.slice(PREFIX.length));
  for (const key of declared) if (!(key in SETTING_DEFAULTS)) problems.push(`${PREFIX}${key}: in package.json, not in SETTING_DEFAULTS`);
  for (const key of Object.keys(SETTING_DEFAULTS) as SettingKey[]) {
    const schema = props[PREFIX + key];
    if (!schema) {
      problems.push(`${PREFIX}${key}: in SETTING_DEFAULTS, not in package.json`);
      continue;
    }
    const same = (what: string, a: unknown, b: unknown) => {
      try {
        assert.deepStrictEqual(a, b);
      } catch {
        problems.push(`${PREFIX}${key}.${what}: package.json ${JSON.stringify(a)}, defaults ${JSON.stringify(b)}`);
      }
    };
    same('default', schema.default, SETTING_DEFAULTS[key]);
    same('enum', schema.enum, SETTING_ENUMS[key] ? [...SETTING_ENUMS[key]] : undefined);
    same('minimum', schema.minimum, SETTING_LIMITS[key]?.minimum);
    same('maximum', schema.maximum, SETTING_LIMITS[key]?.maximum);
  }
  return problems;
}

test("package.json's settings have the defaults, choices and bounds of src/shared/defaults.ts", () => {
  assert.ok(Object.keys(properties).length >= 10, 'package.json declares the settings');
  assert.deepEqual(settingDifferences(properties), []);
});

test('a setting that differs from the defaults module is reported', () => {
  const changed = structuredClone(properties);
  changed[`${PREFIX}maxFileBytes`].default = 1_048_576;
  changed[`${PREFIX}backend`].enum = ['auto', 'wasm'];
  changed[`${PREFIX}annotation.threshold`].maximum = 2;
  delete changed[`${PREFIX}steps`];
  changed[`${PREFIX}brandNew`] = { default: 1 };
  const problems = settingDifferences(changed);
  for (const what of ['maxFileBytes.default', 'backend.enum', 'annotation.threshold.maximum', 'steps: in SETTING_DEFAULTS', 'brandNew: in package.json']) {
    assert.ok(problems.some((p) => p.includes(what)), `${what} in ${problems.join('; ')}`);
  }
  assert.equal(problems.length, 5);
});

test("the choices are the lists the engine and the language server use, and package.json describes every preset as the table does", () => {
  assert.deepEqual(SETTING_ENUMS.preset, PRESET_NAMES);
  assert.deepEqual(SETTING_ENUMS.backend, BACKEND_PREFERENCES);
  assert.deepEqual(SETTING_ENUMS['annotation.severity'], ANNOTATION_SEVERITIES);
  assert.deepEqual(Object.keys(PRESETS), [...PRESET_NAMES]);
  assert.deepEqual(properties[`${PREFIX}preset`].enumDescriptions, PRESET_NAMES.map((p) => PRESETS[p].description));
  assert.deepEqual(properties[`${PREFIX}backend`].enumDescriptions?.length, BACKEND_PREFERENCES.length);
});

test('the corpus walk, the settings and the CLI share the corpus defaults', () => {
  assert.deepEqual(DEFAULT_CORPUS_OPTIONS, { include: [...CORPUS_DEFAULTS.include], exclude: [...CORPUS_DEFAULTS.exclude], maxFileBytes: CORPUS_DEFAULTS.maxFileBytes });
  assert.deepEqual(SETTING_DEFAULTS.include, CORPUS_DEFAULTS.include);
  assert.equal(SETTING_DEFAULTS.maxFileBytes, CORPUS_DEFAULTS.maxFileBytes);
});

test('every preset row is a valid model with its own training hyperparameters', () => {
  for (const name of PRESET_NAMES) {
    const config = presetConfig(name);
    validateConfig(config);
    const t = presetTraining(name);
    assert.ok(Number.isInteger(t.batchSize) && t.batchSize > 0, `${name} batch size`);
    assert.ok(t.learningRate > 0 && t.learningRate < 1e-2, `${name} learning rate`);
    assert.ok(t.gradientAccumulation >= 1 && t.maxGradNorm > 0, `${name} accumulation and clipping`);
    // Copies: a caller's change does not reach the table.
    config.maxSeqLength = 1;
    t.batchSize = 0;
    assert.notEqual(PRESETS[name].model.maxSeqLength, 1);
    assert.notEqual(PRESETS[name].training.batchSize, 0);
  }
  // The warm-up rule: a share of a short run, capped for a long one.
  assert.equal(presetWarmupSteps('small', 1000), 100);
  assert.equal(presetWarmupSteps('small', 1_000_000), 10_000);
  assert.ok(TRAINING_DEFAULTS.checkpointEvery % TRAINING_DEFAULTS.evalEvery === 0, 'every checkpoint step also has an evaluation');
});

test("the CLI's options default to the module's values", () => {
  const help = (command: string) => {
    const r = spawnSync(process.execPath, [resolve(__dirname, '../../../dist/cli.js'), command, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.replace(/\s+/g, ' ');
  };
  const pretrain = help('pretrain');
  for (const [option, value] of [
    ['--checkpoint-every <n>', TRAINING_DEFAULTS.checkpointEvery],
    ['--eval-every <n>', TRAINING_DEFAULTS.evalEvery],
    ['--seed <n>', TRAINING_DEFAULTS.seed],
    ['--workers <n>', `"${TRAINING_DEFAULTS.workers}"`],
    ['--preset <name>', `"${SETTING_DEFAULTS.preset}"`],
    ['--backend <name>', `"${SETTING_DEFAULTS.backend}"`],
  ] as const) {
    assert.match(pretrain, new RegExp(`${option.replace(/[<>]/g, '.')} .*?\\(.*default: ${String(value)}\\)`), option);
  }
  // --threshold defaults to the rule (calibration, else SCORING_DEFAULTS.threshold), which its help names.
  assert.match(help('score'), new RegExp(`--threshold <p> .*?${SCORING_DEFAULTS.autoThreshold}: .*?else ${SCORING_DEFAULTS.threshold} \\(default: "${SCORING_DEFAULTS.autoThreshold}"\\)`));
  assert.match(pretrain, new RegExp(`--calibration-words <n> .*?\\(default: ${CALIBRATION_DEFAULTS.maxWords}\\)`));
  assert.match(help('eval'), new RegExp(`--sequences <n> .*?\\(default: ${EVAL_COMMAND_DEFAULTS.sequences}\\)`));
});
