/**
 * The experiment of the ELECTRA paper's main claim, on the user's own text: at equal
 * pre-training compute (training FLOPs, model/flops.ts), does replaced-token detection give
 * a better encoder than masked language modelling? For each seed it pre-trains ELECTRA and
 * a masked LM of the discriminator's shapes to the same FLOP budget (the masked LM, with no
 * generator, takes more steps), then fine-tunes each, and the same encoder from random
 * weights (did pre-training help at all?), on the chosen tasks. The report (report.md, and
 * report.html with the curves) lands in the experiment folder:
 *
 *   <out>/experiment.json            what was asked
 *   <out>/electra-seed<N>/           an ordinary run folder; fine-tuning records in its metrics.jsonl
 *   <out>/mlm-seed<N>/               likewise
 *   <out>/scratch-seed<N>/metrics.jsonl   the no-pre-training baseline's fine-tuning records
 *   <out>/report.md, report.html, curves.svg
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FinetuneEvalMetrics, MetricsRecord } from '../../shared/metricsRecord';
import { writeFileAtomic } from '../run/atomicFile';
import { withObjective, type ElectraConfig, type Objective } from '../model/config';
import { presetConfig, type PresetName } from '../model/presets';
import { trainingFlops } from '../model/flops';
import { defaultMasking } from '../model/masking';
import { pretrain, type CorpusSource } from '../train/pretrain';
import { EXPERIMENT_FILE, RUN_FILES } from '../../shared/runFolderFormat';
import { EXPERIMENT_DEFAULTS } from '../../shared/defaults';
import type { BackendPreference } from '../wasm/backend';
import { finetuneRun } from '../finetune/finetuneRun';
import type { TaskData } from '../finetune/task';
import { renderExperimentReport, taskName, type ExperimentResults, type SourceName } from './report';

export interface ExperimentOptions {
  corpus: CorpusSource;
  outDir: string;
  preset: PresetName;
  /** Training FLOPs of each pre-training run. */
  flops: number;
  /** Number of seeds (1, 2, ... N), each a pre-training and fine-tuning seed. */
  seeds: number;
  /** Downstream tasks: 'pos', 'genre' or task file paths. */
  tasks: string[];
  /** Start over in a folder that already holds an experiment. */
  overwrite?: boolean;
  /** Pre-training settings shared by both objectives. */
  batchSize?: number;
  learningRate?: number;
  config?: Partial<ElectraConfig>;
  /** Held-out evaluations per pre-training run (the learning curves' points). Default 8. */
  curvePoints?: number;
  /** Fine-tuning settings (default EXPERIMENT_DEFAULTS). */
  epochs?: number;
  finetuneLearningRate?: number;
  finetuneBatchSize?: number;
  maxTrain?: number;
  maxTest?: number;
  workers?: number | 'auto';
  backend?: BackendPreference;
  workerScript?: string;
  onLog?(message: string): void;
  signal?: AbortSignal;
}

export const EXPERIMENT_NAME = 'electra-vs-mlm';
/** The file that marks an experiment folder (its run folders are one level down). */

/** Reads a metrics.jsonl, skipping lines torn by a crash. */
export function readMetrics(path: string): MetricsRecord[] {
  if (!existsSync(path)) return [];
  const out: MetricsRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as MetricsRecord);
    } catch {
      /* a torn line */
    }
  }
  return out;
}

/** Steps a FLOP budget buys, estimated for full sequences (for spacing the held-out evaluations). */
function estimatedSteps(config: ElectraConfig, batchSize: number, budget: number): number {
  const T = config.maxSeqLength;
  const masking = defaultMasking(T);
  const P = batchSize * Math.min(masking.maxPredictionsPerSeq, Math.round(masking.maskProbability * T));
  return Math.max(1, Math.ceil(budget / trainingFlops(config, { sequences: batchSize, seqLength: T, maskedPositions: P }).training));
}

export async function runElectraVsMlm(o: ExperimentOptions): Promise<{ reportPath: string; results: ExperimentResults }> {
  const log = (m: string) => o.onLog?.(m);
  const outDir = resolve(o.outDir);
  if (existsSync(join(outDir, EXPERIMENT_FILE))) {
    if (!o.overwrite) throw new Error(`${outDir} already holds an experiment; choose another folder, or start over with overwrite`);
    rmSync(outDir, { recursive: true, force: true });
  }
  if (!(o.seeds >= 1)) throw new Error('seeds must be at least 1');
  if (o.tasks.length === 0) throw new Error('give at least one task');
  mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  writeFileAtomic(join(outDir, EXPERIMENT_FILE), JSON.stringify({ experiment: EXPERIMENT_NAME, ...o, onLog: undefined, signal: undefined, startedAt: new Date().toISOString() }, null, 2) + '\n');

  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const objectives: Objective[] = ['electra', 'mlm'];
  const batchSize = o.batchSize;
  const taskCache = new Map<string, TaskData>();
  for (const seed of seeds) {
    for (const objective of objectives) {
      if (o.signal?.aborted) throw new Error('experiment cancelled');
      const runDir = join(outDir, `${objective}-seed${seed}`);
      const config = withObjective({ ...presetConfig(o.preset), ...o.config }, objective);
      const steps = estimatedSteps(config, batchSize ?? 16, o.flops);
      const evalEvery = Math.max(1, Math.round(steps / (o.curvePoints ?? 8)));
      log(`pre-training ${objective}, seed ${seed}: ${o.flops.toExponential(2)} FLOPs, about ${steps} steps, held-out evaluation every ${evalEvery}`);
      const result = await pretrain(
        {
          corpus: o.corpus,
          outDir: runDir,
          preset: o.preset,
          objective,
          flops: o.flops,
          seed,
          batchSize,
          learningRate: o.learningRate,
          // The objectives compared, not the error stage a run from scratch ends with by default.
          syntheticErrors: 0,
          config: o.config,
          evalEvery,
          checkpointEvery: 0,
          workers: o.workers ?? 1,
          backend: o.backend,
          workerScript: o.workerScript,
        },
        { onLog: (level, m) => level !== 'info' && log(`${objective} seed ${seed}: ${m}`) },
        o.signal,
      );
      if (result.stoppedBecause === 'stopped') throw new Error('experiment cancelled');
      log(`${objective} seed ${seed}: ${result.step} steps, ${result.flops.toExponential(3)} FLOPs`);
    }
    for (const task of o.tasks) {
      const sources: Array<[SourceName, string, boolean]> = [
        ['electra', join(outDir, `electra-seed${seed}`), false],
        ['mlm', join(outDir, `mlm-seed${seed}`), false],
        // The baseline: the ELECTRA run's discriminator shapes and vocabulary, random weights.
        ['scratch', join(outDir, `electra-seed${seed}`), true],
      ];
      for (const [source, runDir, fromScratch] of sources) {
        if (o.signal?.aborted) throw new Error('experiment cancelled');
        const metricsPath = source === 'scratch' ? join(outDir, `scratch-seed${seed}`, RUN_FILES.metrics) : undefined;
        if (metricsPath) mkdirSync(join(outDir, `scratch-seed${seed}`), { recursive: true });
        const r = await finetuneRun({
          checkpoint: runDir,
          task,
          fromScratch,
          metricsPath,
          epochs: o.epochs ?? EXPERIMENT_DEFAULTS.epochs,
          learningRate: o.finetuneLearningRate ?? EXPERIMENT_DEFAULTS.learningRate,
          batchSize: o.finetuneBatchSize ?? EXPERIMENT_DEFAULTS.batchSize,
          seed,
          maxTrain: o.maxTrain ?? EXPERIMENT_DEFAULTS.maxTrain,
          maxTest: o.maxTest ?? EXPERIMENT_DEFAULTS.maxTest,
          backend: o.backend,
          signal: o.signal,
          taskCache,
        });
        if (r.cancelled) throw new Error('experiment cancelled');
        log(`fine-tuned ${source} seed ${seed} on ${r.task.name}: ${r.task.metric} ${(100 * r.score).toFixed(2)}`);
      }
    }
  }
  const results = collectResults(outDir, o, seeds, Date.now() - started);
  const reportPath = writeReport(outDir, results);
  log(`report: ${reportPath}`);
  return { reportPath, results };
}

function writeReport(outDir: string, results: ExperimentResults): string {
  const { markdown, html, svg } = renderExperimentReport(results);
  writeFileAtomic(join(outDir, 'curves.svg'), svg);
  writeFileAtomic(join(outDir, 'report.html'), html);
  const reportPath = join(outDir, 'report.md');
  writeFileAtomic(reportPath, markdown);
  return reportPath;
}

/**
 * The report of an experiment folder from what its runs recorded so far: for an experiment
 * that was stopped, it covers the seeds whose every encoder finished every task.
 */
export function reportExperiment(dir: string): { reportPath: string; results: ExperimentResults } {
  const outDir = resolve(dir);
  const path = join(outDir, EXPERIMENT_FILE);
  if (!existsSync(path)) throw new Error(`${outDir} holds no experiment (no ${EXPERIMENT_FILE})`);
  if (statSync(path).size > 1 << 20) throw new Error(`${path} is over 1 MiB: not an experiment file`);
  const o = JSON.parse(readFileSync(path, 'utf8')) as ExperimentOptions & { startedAt?: string };
  if (!Array.isArray(o.tasks) || !(o.seeds >= 1) || !(o.flops > 0) || typeof o.corpus !== 'object') throw new Error(`${path} is not an experiment file`);
  const all = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const started = o.startedAt ? Date.parse(o.startedAt) : NaN;
  const complete = collectResults(outDir, o, all, 0);
  const done = all.filter((seed) => complete.runs.filter((r) => r.seed === seed).every((r) => o.tasks.every((t) => r.scores[taskName(t)])));
  if (done.length === 0) throw new Error(`${outDir}: no seed has finished fine-tuning yet`);
  const lastWrite = Math.max(...done.flatMap((seed) => ['electra', 'mlm', 'scratch'].map((s) => join(outDir, `${s}-seed${seed}`, RUN_FILES.metrics))).filter(existsSync).map((f) => statSync(f).mtimeMs));
  const results = collectResults(outDir, o, done, Number.isFinite(started) ? lastWrite - started : 0);
  return { reportPath: writeReport(outDir, results), results };
}

/** The experiment's numbers, from the metrics files it wrote. */
export function collectResults(outDir: string, o: Pick<ExperimentOptions, 'preset' | 'flops' | 'tasks' | 'corpus'>, seeds: number[], elapsedMs: number): ExperimentResults {
  const runs: ExperimentResults['runs'] = [];
  for (const seed of seeds) {
    for (const source of ['electra', 'mlm', 'scratch'] as const) {
      const records = readMetrics(join(outDir, `${source}-seed${seed}`, RUN_FILES.metrics));
      const steps = records.filter((r) => r.type === 'step');
      const flopsAt = new Map(steps.map((r) => [r.step, r.flops ?? 0]));
      const last = steps[steps.length - 1];
      const finals = new Map<string, FinetuneEvalMetrics>();
      const byEpoch = new Map<string, number[]>();
      // The last epoch's scores of each task (a record per epoch; epoch 1 starts a fine-tuning run again).
      for (const r of records) {
        if (r.type !== 'finetuneEval' || r.seed !== seed || r.source !== (source === 'scratch' ? 'scratch' : 'pretrained')) continue;
        finals.set(r.task, r);
        if (r.epoch === 1) byEpoch.set(r.task, []);
        byEpoch.get(r.task)?.push(r.score);
      }
      runs.push({
        source,
        seed,
        steps: last?.step ?? 0,
        flops: last?.flops ?? 0,
        curve: records.filter((r) => r.type === 'eval').map((r) => ({ flops: flopsAt.get(r.step) ?? 0, mlmLoss: r.genLoss, discAuc: r.auc, discLoss: r.discLoss })),
        scores: Object.fromEntries([...finals].map(([task, r]) => [task, { metric: r.metric, score: r.score, accuracy: r.accuracy, macroF1: r.macroF1, examples: r.examples, byEpoch: byEpoch.get(task) ?? [r.score], ...(r.reference ? { reference: r.reference } : {}) }])),
      });
    }
  }
  return { preset: o.preset, budget: o.flops, seeds, tasks: o.tasks, corpus: o.corpus.kind === 'brown' ? 'Brown corpus' : o.corpus.root, elapsedMs, runs };
}
