/**
 * The masked-LM objective as an ordinary run on real text: BERT's 80/10/10 masking, the
 * FLOP budget (cumulative FLOPs in every step record, the masked LM taking more steps than
 * ELECTRA for the same budget), learning, resume and export in ElectraForMaskedLM's layout.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { loadCheckpoint } from '../../src/core/run/checkpoint';
import { exportHuggingFace } from '../../src/core/run/export';
import { Scorer } from '../../src/core/score/scoring';
import { newestRun } from '../../src/server/checkpointRule';
import { decodeSafetensors } from '../../src/core/run/safetensors';
import { trainingFlops } from '../../src/core/model/flops';
import type { TrainingSettings } from '../../src/core/train/settings';
import { maskBatch } from '../../src/core/model/masking';
import { bertMasking } from '../../src/core/model/mlmObjective';
import { Rng } from '../../src/core/common/random';
import { pretrain, type PretrainOptions } from '../../src/core/train/pretrain';
import type { StepMetrics } from '../../src/core/train/metrics';
import { brownTexts, brownTokenizer, rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('mlm');
after(() => scratch.cleanup());

test("BERT's masking: 15% chosen, of those 80% [MASK], 10% a random non-special token, 10% kept", () => {
  const tokenizer = brownTokenizer(2048, 20);
  const special = tokenizer.specialIds;
  const T = 128;
  const ids: number[] = [];
  for (const text of brownTexts(10)) ids.push(...tokenizer.encode(text).map((t) => t.id));
  const rows = Math.floor(ids.length / T);
  const batch = Int32Array.from(ids.slice(0, rows * T));
  const m = maskBatch(batch, T, special, bertMasking(T, tokenizer.vocabSize), new Rng(5));
  let masks = 0;
  let kept = 0;
  let random = 0;
  for (let i = 0; i < m.positions.length; i++) {
    const now = m.maskedIds[m.positions[i]];
    if (now === special.mask) masks++;
    else if (now === m.targets[i]) kept++;
    else {
      random++;
      assert.ok(![special.pad, special.unk, special.cls, special.sep, special.mask].includes(now), `random token ${now} is special`);
    }
  }
  const P = m.positions.length;
  assert.ok(Math.abs(P / batch.length - 0.15) < 0.01, `chosen ${P / batch.length}`);
  assert.ok(Math.abs(masks / P - 0.8) < 0.03, `[MASK] ${masks / P}`);
  // A random draw can equal the original token (rarely): "kept" may be a hair above 10%.
  assert.ok(Math.abs(random / P - 0.1) < 0.03, `random ${random / P}`);
  assert.ok(Math.abs(kept / P - 0.1) < 0.03, `kept ${kept / P}`);
});

const corpus = join(scratch.path, 'rust');
mkdirSync(corpus, { recursive: true });
for (const f of rustBookFiles().slice(0, 24)) copyFileSync(f, join(corpus, basename(f)));
const base = (outDir: string): PretrainOptions => ({
  corpus: { kind: 'folder', root: corpus },
  outDir,
  preset: 'micro',
  batchSize: 8,
  seed: 3,
  backend: 'wasm',
  checkpointEvery: 1000,
  evalEvery: 1000,
  evalSequences: 32,
  config: { maxSeqLength: 64, vocabSize: 1024 },
});

test('at one FLOP budget the masked LM takes more steps than ELECTRA; both stop at the budget and record cumulative FLOPs', async () => {
  const budget = 4e9;
  const runs: Record<string, { steps: StepMetrics[]; result: Awaited<ReturnType<typeof pretrain>> }> = {};
  for (const objective of ['electra', 'mlm'] as const) {
    const steps: StepMetrics[] = [];
    const result = await pretrain({ ...base(join(scratch.path, `budget-${objective}`)), objective, flops: budget }, { onStep: (m) => steps.push(m) });
    runs[objective] = { steps, result };
    assert.equal(result.stoppedBecause, 'flops');
    assert.ok(result.flops >= budget && result.flops - steps[steps.length - 2].flops! < budget, `${objective}: stopped at ${result.flops}, not the first step past ${budget}`);
    // Each record's FLOPs grow by one step's count, which only the masked positions vary (at most
    // the run's mask rate of each sequence: ELECTRA from scratch masks more than the masked LM).
    const checkpoint = loadCheckpoint(result.checkpointDir);
    const config = checkpoint.config;
    const perSequence = Math.round((checkpoint.state.training as TrainingSettings).maskProbability! * 64);
    const fullBatch = trainingFlops(config, { sequences: 8, seqLength: 64, maskedPositions: 0 }).training;
    for (let i = 1; i < steps.length; i++) {
      const delta = steps[i].flops! - steps[i - 1].flops!;
      assert.ok(delta > fullBatch && delta <= trainingFlops(config, { sequences: 8, seqLength: 64, maskedPositions: 8 * perSequence }).training, `step ${i + 1} adds ${delta}`);
    }
  }
  const e = runs.electra.result.step;
  const m = runs.mlm.result.step;
  assert.ok(m > e, `masked LM ${m} steps, ELECTRA ${e}`);
});

test('a masked-LM run learns, resumes like an ELECTRA run and exports as ElectraForMaskedLM', async () => {
  const outDir = join(scratch.path, 'mlm-run');
  const steps: StepMetrics[] = [];
  const controller = new AbortController();
  await pretrain({ ...base(outDir), objective: 'mlm', steps: 60, learningRate: 2e-3 }, { onStep: (m) => { steps.push(m); if (m.step === 30) controller.abort(); } }, controller.signal);
  // A fine-tuning record (its own step count) written between the two halves survives the resume's truncation.
  const finetuneLine = JSON.stringify({ type: 'finetuneEval', task: 'pos', step: 999, score: 0.5 });
  appendFileSync(join(outDir, 'metrics.jsonl'), finetuneLine + '\n');
  const resumed = await pretrain({ ...base(outDir), resume: true, steps: 60 }, { onStep: (m) => steps.push(m) });
  assert.ok(readFileSync(join(outDir, 'metrics.jsonl'), 'utf8').includes(finetuneLine));
  assert.equal(resumed.step, 60);
  assert.deepEqual(steps.map((s) => s.step), Array.from({ length: 60 }, (_, i) => i + 1));
  // FLOPs carry on across the resume.
  assert.ok(steps[30].flops! > steps[29].flops!);
  const mean = (xs: StepMetrics[]) => xs.reduce((a, s) => a + s.genLoss, 0) / xs.length;
  assert.ok(mean(steps.slice(-10)) < mean(steps.slice(0, 10)) - 0.3, `masked-LM loss ${mean(steps.slice(0, 10))} -> ${mean(steps.slice(-10))}`);
  assert.ok(steps.every((s) => s.discLoss === 0));

  const ckpt = loadCheckpoint(resumed.checkpointDir);
  assert.equal(ckpt.config.objective, 'mlm');
  assert.ok(![...ckpt.weights.keys()].some((n) => n.startsWith('discriminator.')));
  await assert.rejects(Scorer.load(outDir, { backend: 'wasm' }), /is a masked-LM run: it has no discriminator/);
  // Nor does the language server pick it as the newest run to score with.
  // (this run is the newest, budget-mlm the next: both passed over for the ELECTRA run)
  assert.equal(newestRun([scratch.path]), join(scratch.path, 'budget-electra'));
  const [dir] = exportHuggingFace(ckpt, join(scratch.path, 'hf'));
  assert.equal(basename(dir), 'mlm');
  assert.ok(!existsSync(join(scratch.path, 'hf', 'discriminator')));
  const hfConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  assert.deepEqual(hfConfig.architectures, ['ElectraForMaskedLM']);
  assert.equal(hfConfig.hidden_size, 32); // the discriminator's width, not the generator's 16
  const { tensors } = decodeSafetensors(readFileSync(join(dir, 'model.safetensors')), 'export');
  assert.deepEqual(tensors.get('generator_lm_head.weight')!.shape, [ckpt.config.vocabSize, 24]);
  assert.deepEqual(tensors.get('electra.encoder.layer.1.intermediate.dense.weight')!.shape, [64, 32]);
});
