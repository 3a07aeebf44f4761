/**
 * electra-vs-mlm end to end at a tiny budget (micro, a few seconds a run): both objectives
 * pre-trained to the same FLOPs, fine-tuned with the no-pre-training baseline on Brown POS
 * and on a user task file, and the report written from what the runs recorded.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { reportExperiment, runElectraVsMlm } from '../../src/core/experiment/electraVsMlm';
import { renderExperimentReport, sampleStd, type ExperimentResults } from '../../src/core/experiment/report';
import { brownTexts, rustBookFiles, tempDir } from './engineFixtures';

const scratch = tempDir('experiment');
after(() => scratch.cleanup());

test('the report: mean ± sample standard deviation, each seed, and an honest verdict', () => {
  const run = (source: 'electra' | 'mlm' | 'scratch', seed: number, score: number) => ({
    source, seed, steps: 10, flops: 1e9, curve: [{ flops: 1e9, mlmLoss: 6, discAuc: source === 'electra' ? 0.7 : null, discLoss: 0.4 }],
    scores: { pos: { metric: 'accuracy' as const, score, accuracy: score, macroF1: 0, examples: 100, byEpoch: [score - 0.1, score], reference: { name: 'most-frequent tag', score: 0.55 } } },
  });
  const results: ExperimentResults = {
    preset: 'micro', budget: 1e9, seeds: [1, 2], tasks: ['pos'], corpus: 'x', elapsedMs: 60_000,
    runs: [run('electra', 1, 0.5), run('mlm', 1, 0.6), run('scratch', 1, 0.4), run('electra', 2, 0.7), run('mlm', 2, 0.6), run('scratch', 2, 0.4)],
  };
  assert.ok(Math.abs(sampleStd([0.5, 0.7]) - Math.sqrt(0.02)) < 1e-12);
  const { markdown, html, svg } = renderExperimentReport(results);
  // ELECTRA 60.00 ± 14.14 (0.5, 0.7), masked LM 60.00 ± 0.00, no pre-training 40.00 ± 0.00.
  assert.match(markdown, /\| pos \(accuracy %\) \| 60\.00 ± 14\.14 \| 60\.00 ± 0\.00 \| 40\.00 ± 0\.00 \| 55\.00 \(most-frequent tag\) \|/);
  assert.match(markdown, /pos: ELECTRA ahead of the masked LM by 0\.00 points \(mean\), ahead in 1 of 2 seeds; the better pre-trained encoder beats no pre-training by 20\.00 points \(most-frequent tag: 55\.00\)/);
  // Fine-tuning curves, mean over seeds by epoch: ELECTRA (0.4, 0.6) then (0.5, 0.7).
  assert.match(markdown, /\| pos \| ELECTRA \| 50\.00 \| 60\.00 \|/);
  assert.match(markdown, /\| pos \| no pre-training \| 30\.00 \| 40\.00 \|/);
  assert.match(html, /<td>60\.00 ± 14\.14<\/td>/);
  assert.match(svg, /^<svg/);
});

test('electra-vs-mlm end to end at a tiny budget', async () => {
  const corpus = join(scratch.path, 'rust');
  mkdirSync(corpus);
  for (const f of rustBookFiles().slice(0, 16)) copyFileSync(f, join(corpus, basename(f)));
  // A user task of real text: is a line from the Rust book or from Brown?
  const lines = (texts: string[]) => texts.join('\n').split('\n').map((l) => l.trim()).filter((l) => l.length > 40).slice(0, 60);
  const rows = [...lines(rustBookFiles().slice(20, 24).map((f) => readFileSync(f, 'utf8'))).map((t) => ({ text: t, label: 'rust' })), ...lines(brownTexts(3)).map((t) => ({ text: t, label: 'brown' }))];
  const taskFile = join(scratch.path, 'source.jsonl');
  writeFileSync(taskFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');

  const outDir = join(scratch.path, 'exp');
  const budget = 3e9;
  const { reportPath, results } = await runElectraVsMlm({
    corpus: { kind: 'folder', root: corpus },
    outDir,
    preset: 'micro',
    flops: budget,
    seeds: 2,
    tasks: ['pos', taskFile],
    batchSize: 8,
    config: { maxSeqLength: 64, vocabSize: 800 },
    epochs: 1,
    maxTrain: 48,
    maxTest: 16,
    backend: 'wasm',
  });
  for (const seed of [1, 2]) {
    const electra = results.runs.find((r) => r.source === 'electra' && r.seed === seed)!;
    const mlm = results.runs.find((r) => r.source === 'mlm' && r.seed === seed)!;
    const none = results.runs.find((r) => r.source === 'scratch' && r.seed === seed)!;
    assert.ok(electra.flops >= budget && mlm.flops >= budget, `FLOPs ${electra.flops}, ${mlm.flops}`);
    assert.ok(mlm.steps > electra.steps, `masked LM ${mlm.steps} steps vs ELECTRA ${electra.steps}`);
    assert.ok(electra.curve.length >= 2 && mlm.curve.length >= 2, 'held-out points along the way');
    assert.ok(electra.curve.every((p, i) => i === 0 || p.flops > electra.curve[i - 1].flops));
    for (const r of [electra, mlm, none]) {
      assert.deepEqual(Object.keys(r.scores).sort(), ['pos', 'source.jsonl']);
      for (const s of Object.values(r.scores)) assert.ok(s.score >= 0 && s.score <= 1 && s.examples > 0 && s.byEpoch.length === 1 && s.byEpoch[0] === s.score);
      // POS carries its most-frequent-tag reference; the user's task has none.
      assert.equal(r.scores.pos.reference?.name, 'most-frequent tag');
      assert.ok(r.scores.pos.reference!.score > 0.3 && r.scores.pos.reference!.score < 1, `reference ${r.scores.pos.reference!.score}`);
      assert.equal(r.scores['source.jsonl'].reference, undefined);
    }
    // The baseline's records are its own; the pre-trained encoders' are in their runs' metrics.
    assert.ok(existsSync(join(outDir, `scratch-seed${seed}`, 'metrics.jsonl')));
    assert.match(readFileSync(join(outDir, `mlm-seed${seed}`, 'metrics.jsonl'), 'utf8'), /"type":"finetuneEval","task":"pos","source":"pretrained","objective":"mlm"/);
  }
  const report = readFileSync(reportPath, 'utf8');
  assert.match(report, /\| pos \(accuracy %\) \| \d+\.\d\d ± \d+\.\d\d \| \d+\.\d\d ± \d+\.\d\d \| \d+\.\d\d ± \d+\.\d\d \|/);
  assert.match(report, /\| source\.jsonl \(macro-F1\) \|.*\| — \|/);
  assert.match(report, /\| pos \(accuracy %\) \|.*\| \d+\.\d\d \(most-frequent tag\) \|/);
  assert.match(report, /Pre-training budget: 3\.00 GFLOP/);
  assert.ok(existsSync(join(outDir, 'report.html')) && existsSync(join(outDir, 'curves.svg')));
  // The report again from the folder alone, as for a stopped experiment: the same numbers.
  const again = reportExperiment(outDir);
  assert.deepEqual(again.results.runs, results.runs);
  assert.equal(readFileSync(again.reportPath, 'utf8').replace(/Took [\d.]+ minutes/, ''), report.replace(/Took [\d.]+ minutes/, ''));
  await assert.rejects(runElectraVsMlm({ corpus: { kind: 'folder', root: corpus }, outDir, preset: 'micro', flops: budget, seeds: 1, tasks: ['pos'] }), /already holds an experiment/);
});
