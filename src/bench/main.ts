/**
 * npm run bench: training throughput of the engine and where a step's time goes, with
 * the machine and configuration, and the PyTorch reference step (shared/bench) measured in
 * the same run when python3 with torch is installed.
 *
 *   node dist/bench.js [--presets tiny,small] [--steps N] [--threads N] [--backend wasm] [--no-reference]
 *                      [--only training,scaling,latency,typing,imported,ingestion,leak,eventloop,quality,context]
 *                      [--ingest-mb 100] [--leak-steps 500] [--edits 30] [--latency-presets tiny,small]
 *                      [--scaling-steps 3] [--typing-chars 1000000] [--typing-keys 60]
 *                      [--imported-edits 20] [--imported-sizes small,base]
 *                      [--quality-models models/base,runs/x] [--quality-sentences 1000] [--quality-minutes 10]
 *
 * Sections: training (tokens/s per preset, where the time goes, PyTorch reference), scaling
 * (ms/step against sequence length and batch), latency (the language server's annotation
 * latency over JSON-RPC), typing (keys every 90 ms with a code action and a hover after each,
 * in a 1 MB document: final diagnostics, request latency, server RSS), imported (edit latency
 * with imported ELECTRA-Small- and Base-sized Hugging Face models), ingestion (MB/s and memory of prepareData), leak (tensor count over
 * pretrain()'s steps), eventloop (main-thread event-loop delay while the worker trains),
 * quality (planted real-word errors and fixed-generator replacements, models beside the
 * rarity and trigram baselines; src/bench/quality.ts; then, unless --quality-minutes 0, runs
 * from scratch on Brown and on the Rust book and the base model continued, each trained that
 * long: trainedQuality.ts).
 *
 * Figures are measured, never assumed: a preset that fails prints its error instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeBackend, initBackend, type BackendPreference } from '../core/wasm/backend';
import type { ElectraConfig } from '../core/model/config';
import { presetConfig, presetTraining, type PresetName } from '../core/model/presets';
import { matMulFlops, trainingFlops } from '../core/model/flops';
import { dense as denseOp } from '../core/wasm/kernels/dense';
import { defaultMasking, maskBatch } from '../core/model/masking';
import { batchGradients, ReplicaPool } from '../core/parallel';
import { ElectraModel } from '../core/model/model';
import { electraLoss, type Batch } from '../core/model/objective';
import { kernelOptions } from '../core/wasm/kernels/wasmHeap';
import { AdamW, clipByGlobalNorm } from '../core/model/optimizer';
import { deriveSeed, Rng } from '../core/common/random';
import { runEventLoop } from './eventLoop';
import { runIngestion } from './ingestion';
import { runLeak } from './leak';
import { runLatency } from './lspLatency';
import { runImportedLatency } from './importedLatency';
import { runTypingWithRequests } from './typingWithRequests';
import { describeMachine, parseSections, RssSampler, section, SECTION_NAMES, type SectionName } from './machine';
import { runScaling } from './scaling';
import { runQuality } from './quality';
import { runTrainedQuality } from './trainedQuality';
import { runContextProbe } from './contextProbe';

/** The shipped base model (models/base), evaluated by the quality section unless told otherwise. */
const BASE_MODEL = resolve(__dirname, '..', 'models', 'base');
/** Planting seeds of the trained rows' comparisons (a planting's spread exceeds ten minutes' change). */
const QUALITY_PLANTINGS = [42, 1, 7, 3, 5, 11, 13, 17];

interface Args {
  presets: Array<{ preset: PresetName; batch: number }>;
  steps: number;
  backend: BackendPreference;
  reference: boolean;
  /** Sections to run (all by default). */
  only: Set<SectionName>;
  ingestMb: number;
  leakSteps: number;
  edits: number;
  /** Typing with requests: document size in characters, keys typed. */
  typingChars: number;
  typingKeys: number;
  latencyPresets: PresetName[];
  scalingSteps: number;
  /** One-word edits per imported-model row (base gets a quarter, at least 4: each takes seconds). */
  importedEdits: number;
  /** Model sizes of the imported section. */
  importedSizes: Array<'small' | 'base'>;
  /** Data-parallel threads for the multi-threaded rows (default: one per core). */
  threads: number;
  /** Checkpoints or run folders the quality section evaluates. */
  qualityModels: string[];
  qualitySentences: number;
  /** Minutes of each trained row of the quality section (0: none). */
  qualityMinutes: number;
  /** Steps of each context-probe run. */
  contextSteps: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    presets: [{ preset: 'tiny', batch: 16 }, { preset: 'small', batch: 8 }],
    steps: 5,
    backend: 'auto',
    reference: true,
    only: new Set(SECTION_NAMES),
    ingestMb: 100,
    leakSteps: 500,
    edits: 30,
    typingChars: 1_000_000,
    typingKeys: 60,
    latencyPresets: ['tiny', 'small'],
    scalingSteps: 3,
    importedEdits: 20,
    importedSizes: ['small', 'base'],
    threads: Math.min(availableParallelism(), 8),
    qualityModels: existsSync(BASE_MODEL) ? [BASE_MODEL] : [],
    qualitySentences: 1000,
    qualityMinutes: 10,
    contextSteps: 2000,
  };
  const number = (a: string, v: string | undefined) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} needs a positive number, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--presets') {
      args.presets = argv[++i].split(',').map((p) => {
        const [preset, batch] = p.split(':');
        return { preset: preset as PresetName, batch: Number(batch ?? (preset === 'tiny' ? 16 : 8)) };
      });
    } else if (a === '--steps') args.steps = Number(argv[++i]);
    else if (a === '--threads') args.threads = Math.floor(number(a, argv[++i]));
    else if (a === '--backend') args.backend = argv[++i] as BackendPreference;
    else if (a === '--no-reference') args.reference = false;
    else if (a === '--only') args.only = parseSections(argv[++i]);
    else if (a === '--ingest-mb') args.ingestMb = number(a, argv[++i]);
    else if (a === '--leak-steps') args.leakSteps = Math.round(number(a, argv[++i]));
    else if (a === '--edits') args.edits = Math.round(number(a, argv[++i]));
    else if (a === '--typing-chars') args.typingChars = Math.round(number(a, argv[++i]));
    else if (a === '--typing-keys') args.typingKeys = Math.round(number(a, argv[++i]));
    else if (a === '--latency-presets') args.latencyPresets = argv[++i].split(',') as PresetName[];
    else if (a === '--scaling-steps') args.scalingSteps = Math.round(number(a, argv[++i]));
    else if (a === '--imported-edits') args.importedEdits = Math.round(number(a, argv[++i]));
    else if (a === '--imported-sizes') args.importedSizes = argv[++i].split(',').map((x) => {
      if (x !== 'small' && x !== 'base') throw new Error(`--imported-sizes takes small and base, got ${x}`);
      return x;
    });
    else if (a === '--quality-models') args.qualityModels = argv[++i].split(',').filter(Boolean);
    else if (a === '--quality-sentences') args.qualitySentences = Math.round(number(a, argv[++i]));
    else if (a === '--quality-minutes') args.qualityMinutes = argv[i + 1] === '0' ? (i++, 0) : number(a, argv[++i]);
    else if (a === '--context-steps') args.contextSteps = Math.round(number(a, argv[++i]));
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

const KERNEL_GROUPS: Array<[string, RegExp]> = [
  ['matmul (dense layers, attention, LM head)', /^(BatchMatMul|_FusedMatMul|ElectraDense)$/],
  ['attention softmax (scale, mask, softmax)', /^(Softmax|Max|ElectraAttentionSoftmax(Grad)?)$/],
  ['GELU, LayerNorm, dropout (fused)', /^Electra(BiasGelu|LayerNorm|Dropout)(Grad)?$/],
  ['gather / scatter', /^(GatherV2|UnsortedSegmentSum|OneHot|GatherNd|ScatterNd)$/],
  ['layout (transpose, reshape, copies)', /^(Transpose|Reshape|Identity|Cast|Slice|Concat|Tile|Pack|Unpack|StridedSlice|PadV2)$/],
];

function groupOf(kernel: string): string {
  for (const [name, re] of KERNEL_GROUPS) if (re.test(kernel)) return name;
  return 'other elementwise and reductions';
}

/**
 * Raw matMul throughput of the backend, the yardstick for the step's efficiency: one large
 * product, through tf.matMul as the engine calls it. On wasm that is the engine's own SIMD
 * GEMM (kernels/gemm.ts); `xnnpack` runs the same product with the engine's SIMD kernels
 * switched off, i.e. tfjs-backend-wasm's XNNPACK, for comparison.
 */
function rawMatMulGflops(xnnpack = false): number {
  const saved = kernelOptions.simd;
  if (xnnpack) kernelOptions.simd = false;
  try {
    const a = tf.randomNormal([1024, 512]);
    const b = tf.randomNormal([512, 1024]);
    tf.matMul(a, b).dispose();
    const n = 8;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }
    const seconds = (performance.now() - t0) / 1000;
    a.dispose();
    b.dispose();
    return (2 * 1024 * 512 * 1024 * n) / seconds / 1e9;
  } finally {
    kernelOptions.simd = saved;
  }
}

/**
 * The rate of the step's own largest products, through the same dense op the model runs
 * (x [N, H] by weight [F, H] transposed, and back): the FFN's two layers at the preset's
 * batch. A step's products are small (inner sizes 16 to 1,024): a single large square-ish
 * product is not the most a step's shapes can reach, so the yardstick is the faster of the two.
 */
function stepShapeGflops(config: ElectraConfig, batch: number): number {
  const N = batch * config.maxSeqLength;
  const H = config.discriminator.hiddenSize;
  const F = config.discriminator.intermediateSize;
  const x = tf.randomNormal([N, H]) as tf.Tensor2D;
  const w1 = tf.randomNormal([F, H]) as tf.Tensor2D;
  const b1 = tf.zeros([F]) as tf.Tensor1D;
  const y = tf.randomNormal([N, F]) as tf.Tensor2D;
  const w2 = tf.randomNormal([H, F]) as tf.Tensor2D;
  const b2 = tf.zeros([H]) as tf.Tensor1D;
  const once = () => {
    const a = denseOp(x, w1, b1);
    const c = denseOp(y, w2, b2);
    a.dataSync();
    c.dataSync();
    a.dispose();
    c.dispose();
  };
  once();
  const n = 4;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) once();
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, w1, b1, y, w2, b2]);
  return (n * 2 * matMulFlops(N, H, F)) / seconds / 1e9;
}

interface TrainingBench {
  preset: PresetName;
  batch: number;
  threads: number;
  msPerStep: number;
  tokensPerSec: number;
  gflops: number;
  peakRssMiB: number;
  tensorsBefore: number;
  tensorsAfter: number;
  breakdown: Array<[string, number]>;
}

/** Ids of a vocabulary laid out like the engine's: the five special tokens first. */
const SPECIAL = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };

/** A full batch of [CLS] random-tokens [SEP] sequences: throughput does not depend on the words. */
function syntheticBatch(config: ElectraConfig, batch: number): Batch {
  const T = config.maxSeqLength;
  const rng = new Rng(7);
  const ids = new Int32Array(batch * T);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) ids[b * T + t] = 5 + rng.int(config.vocabSize - 5);
    ids[b * T] = SPECIAL.cls;
    ids[b * T + T - 1] = SPECIAL.sep;
  }
  return { ids, attentionMask: new Float32Array(ids.length).fill(1), batchSize: batch, seqLength: T };
}

interface TrainingRun {
  /** Threads sharing each step (data parallel); 1 runs the step on this thread alone. */
  threads?: number;
  /** Overrides the preset's sequence length. */
  seqLength?: number;
  backend?: BackendPreference;
}

/**
 * Timed optimizer steps on a synthetic batch through the training loop's own parts:
 * masking, the objective's gradients (split over data-parallel workers when threads > 1),
 * global-norm clipping and AdamW.
 */
async function benchTraining(preset: PresetName, batch: number, steps: number, run: TrainingRun = {}): Promise<TrainingBench> {
  // Peak resident memory, sampled: the wasm heaps of this thread and the workers live inside the process's RSS.
  const memory = new RssSampler();
  const config = { ...presetConfig(preset), ...(run.seqLength ? { maxSeqLength: run.seqLength } : {}) };
  const T = config.maxSeqLength;
  const threads = Math.max(1, Math.min(run.threads ?? 1, batch));
  const hyper = presetTraining(preset);
  const model = new ElectraModel(config, 1);
  const optimizer = new AdamW(model.params, model.decayed);
  const workers = threads > 1 ? await ReplicaPool.start(model, threads - 1, run.backend ?? 'auto', join(__dirname, 'dataParallelWorker.js')) : undefined;
  const data = syntheticBatch(config, batch);
  const { ids } = data;
  const timing = { data: 0, forwardBackward: 0, optimizer: 0 };
  let maskedCount = 0;
  const step = async (i: number) => {
    let t = performance.now();
    const masked = maskBatch(ids, T, SPECIAL, defaultMasking(T), new Rng(deriveSeed(1, 'mask', i)));
    maskedCount = masked.positions.length;
    timing.data += performance.now() - t;
    t = performance.now();
    const pass = { seed: i, dropoutRate: 0.1 };
    const { grads } = await batchGradients(model, data, masked, pass, workers);
    timing.forwardBackward += performance.now() - t;
    t = performance.now();
    clipByGlobalNorm(grads, hyper.maxGradNorm);
    optimizer.apply(grads, hyper.learningRate);
    workers?.weightsChanged();
    for (const g of grads.values()) g.dispose();
    timing.optimizer += performance.now() - t;
  };
  const liveTensors = () => tf.memory().numTensors + (workers?.liveTensors.reduce((a, n) => a + n, 0) ?? 0);
  try {
    await step(0); // warm-up: kernel set-up and first allocations
    const tensorsBefore = liveTensors();
    timing.data = timing.forwardBackward = timing.optimizer = 0;
    const t0 = performance.now();
    for (let i = 1; i <= steps; i++) await step(i);
    const ms = (performance.now() - t0) / steps;
    const tensorsAfter = liveTensors();
    const breakdown: Array<[string, number]> = [
      ['data (batch, masking)', timing.data / steps],
      [threads > 1 ? `forward + backward (${threads} threads)` : 'forward + backward', timing.forwardBackward / steps],
      ['optimizer (clip + AdamW)', timing.optimizer / steps],
    ];
    return {
      preset,
      batch,
      threads,
      msPerStep: ms,
      tokensPerSec: (batch * T) / (ms / 1000),
      gflops: trainingFlops(config, { sequences: batch, seqLength: T, maskedPositions: maskedCount }).training / (ms / 1000) / 1e9,
      peakRssMiB: memory.stop().peak / 2 ** 20,
      tensorsBefore,
      tensorsAfter,
      breakdown,
    };
  } finally {
    memory.stop();
    await workers?.close();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Where one forward + backward pass's wall time goes, by kernel kind. tf.profile also lists
 * each custom op's wrapper as 'forward', whose time includes the kernels it runs (counted
 * under their own names), so wrappers are left out; the wall time not spent in any kernel
 * is JavaScript: the masked-LM head's softmax and sampling, and tfjs's tape bookkeeping.
 */
async function kernelBreakdown(preset: PresetName, batch: number): Promise<Array<[string, number]>> {
  const config = presetConfig(preset);
  const T = config.maxSeqLength;
  const model = new ElectraModel(config, 1);
  const data = syntheticBatch(config, batch);
  const masked = maskBatch(data.ids, T, SPECIAL, defaultMasking(T), new Rng(1));
  const pass = () => {
    const { value, grads } = tf.variableGrads(() => electraLoss(model, data, masked, { seed: 1, dropoutRate: 0.1 }, {}));
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  pass(); // warm-up
  const t0 = performance.now();
  const info = await tf.profile(pass);
  const wall = performance.now() - t0;
  const groups = new Map<string, number>();
  let inKernels = 0;
  for (const k of info.kernels) {
    if (k.name === 'forward') continue;
    const ms = Number(k.kernelTimeMs);
    groups.set(groupOf(k.name), (groups.get(groupOf(k.name)) ?? 0) + ms);
    inKernels += ms;
  }
  groups.set('JavaScript outside kernels (LM-head softmax, sampling, tape)', Math.max(0, wall - inKernels));
  model.dispose();
  return [...groups].sort((a, b) => b[1] - a[1]);
}

function reference(preset: PresetName, batch: number, threads: number, steps: number): string | undefined {
  const script = resolve(__dirname, '../../shared/bench/peer_torch_electra.py');
  if (!existsSync('/usr/bin/python3') || !existsSync(script)) return undefined;
  const r = spawnSync('/usr/bin/python3', [script, preset, String(batch), String(threads), String(steps)], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) return undefined;
  return r.stdout.trim().split('\n').pop();
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend(args.backend);
  console.log(`# ELECTRA Studio benchmark`);
  console.log(`machine: ${describeMachine()}`);
  console.log(`backend: ${describeBackend(backend)} (the wasm backend is single-threaded under Node: more threads are data-parallel workers, ${args.threads} here)`);
  console.log(`sections: ${[...args.only].join(', ')} (choose with --only ${SECTION_NAMES.join(',')})`);
  const tmp = mkdtempSync(join(tmpdir(), 'electra-bench-'));
  try {
    // Memory-sensitive sections first, while the process is fresh: the wasm heap never
    // shrinks, so after the training rows RSS would start at gigabytes.
    if (args.only.has('ingestion')) {
      await section(`Corpus ingestion (${args.ingestMb} MB of Brown text through prepareData)`, () => runIngestion({ megabytes: args.ingestMb, tmpDir: join(tmp, 'ingestion') }));
    }
    if (args.only.has('leak')) {
      await section(`Tensor leak check (${args.leakSteps} steps of pretrain(), micro on Brown, dropout on)`, () => runLeak({ steps: args.leakSteps, tmpDir: join(tmp, 'leak'), backend: args.backend, threads: args.threads }));
    }
    if (args.only.has('eventloop')) {
      await section('Event-loop responsiveness while training runs in the worker thread', () =>
        runEventLoop({ workerJs: join(__dirname, 'trainingWorker.js'), tmpDir: join(tmp, 'eventloop'), backend: args.backend }),
      );
    }
    if (args.only.has('latency')) {
      await section('Annotation latency in the language server (real JSON-RPC over stdio)', () =>
        runLatency({ serverJs: join(__dirname, 'server.js'), tmpDir: join(tmp, 'latency'), presets: args.latencyPresets, backend: args.backend, words: 2000, edits: args.edits }).then(() => undefined),
      );
    }
    if (args.only.has('typing')) {
      await section('Typing with requests in a 1 MB document (language server, real JSON-RPC over stdio)', () =>
        runTypingWithRequests({
          serverJs: join(__dirname, 'server.js'),
          tmpDir: join(tmp, 'typing'),
          backend: args.backend,
          chars: args.typingChars,
          keys: args.typingKeys,
          trainedModel: existsSync(BASE_MODEL) ? BASE_MODEL : undefined,
        }),
      );
    }
    if (args.only.has('imported')) {
      const small = args.importedEdits;
      const base = Math.max(4, Math.round(args.importedEdits / 4));
      await section('Annotation latency with imported Hugging Face models (ELECTRA-Small and Base shapes)', () =>
        runImportedLatency({
          serverJs: join(__dirname, 'server.js'),
          tmpDir: join(tmp, 'imported'),
          backend: args.backend,
          words: 2000,
          rows: (
            [
              { size: 'small', edits: small },
              { size: 'small', seqLength: 512, edits: small },
              { size: 'base', edits: base },
              { size: 'base', seqLength: 512, edits: base },
            ] as const
          ).filter((r) => args.importedSizes.includes(r.size)),
        }).then(() => undefined),
      );
    }
    if (args.only.has('training')) await section('Training step (synthetic batch, dropout on)', () => trainingSection(args));
    if (args.only.has('scaling')) {
      await section('Training step: how time grows with sequence length and batch', () =>
        runScaling({
          steps: args.scalingSteps,
          threads: args.threads,
          bench: (preset, batch, steps, seqLength) => benchTraining(preset, batch, steps, { threads: args.threads, seqLength, backend: args.backend }),
        }),
      );
    }
    if (args.only.has('quality')) {
      const rustBook = resolve(__dirname, '..', '..', 'shared', 'corpora', 'rust-book');
      await section(`Quality: planted real-word errors and fixed-generator replacements (${args.qualitySentences} sentences a set)`, () =>
        runQuality({ models: args.qualityModels, sentences: args.qualitySentences, rustBook, seed: 1 }),
      );
      if (args.qualityMinutes > 0) {
        await section(`Quality after ${args.qualityMinutes} minutes of training: from scratch, and the base model continued`, () =>
          runTrainedQuality({ minutes: args.qualityMinutes, baseModel: BASE_MODEL, rustBook, sentences: args.qualitySentences, plantings: QUALITY_PLANTINGS }),
        );
      }
    }
    if (args.only.has('context')) {
      await section(`Context probe: steps until a fresh tiny discriminator reads the previous token (${args.contextSteps} steps a run)`, () => runContextProbe(args.contextSteps));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Training tokens/s of the presets, where a step's time goes, and the PyTorch reference. */
async function trainingSection(args: Args): Promise<void> {
  const raw = rawMatMulGflops();
  const xnnpack = rawMatMulGflops(true);
  console.log(`raw matMul (1024x512 @ 512x1024, fp32, one thread): ${raw.toFixed(1)} GFLOP/s through tf.matMul (the engine's SIMD GEMM on wasm); XNNPACK, tfjs-backend-wasm's own: ${xnnpack.toFixed(1)} GFLOP/s`);
  const atShape = new Map(args.presets.map(({ preset, batch }) => [preset, stepShapeGflops(presetConfig(preset), batch)]));
  for (const [preset, rate] of atShape) console.log(`${preset}: its FFN products alone (dense op, batch x length rows, one thread): ${rate.toFixed(1)} GFLOP/s`);
  console.log("step FLOPs: the engine's training count (src/core/model/flops.ts: forward + backward matmuls, 2*m*n*k each; tested equal to the products a pass runs)");
  console.log("efficiency below is the step's FLOP rate per thread against the fastest of the three for that preset");
  console.log('');
  console.log('| preset | batch x length | threads | ms/step | tokens/s | step GFLOP/s | per core, % of best matMul | peak RSS MiB | tensors before/after |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const results: TrainingBench[] = [];
  for (const { preset, batch } of args.presets) {
    // One thread (the engine on one core) and the data-parallel default.
    for (const threads of [...new Set([1, args.threads])]) {
      try {
        const r = await benchTraining(preset, batch, args.steps, { threads, backend: args.backend });
        results.push(r);
        console.log(`| ${preset} | ${batch} x ${presetConfig(preset).maxSeqLength} | ${r.threads} | ${r.msPerStep.toFixed(0)} | ${r.tokensPerSec.toFixed(0)} | ${r.gflops.toFixed(2)} | ${((100 * r.gflops) / r.threads / Math.max(raw, xnnpack, atShape.get(preset) ?? 0)).toFixed(0)}% | ${r.peakRssMiB.toFixed(0)} | ${r.tensorsBefore}/${r.tensorsAfter} |`);
      } catch (e) {
        console.log(`| ${preset} | ${batch} | ${threads} | failed: ${(e as Error).message.split('\n')[0]} |`);
      }
    }
  }
  for (const r of results) {
    console.log('');
    console.log(`where a ${r.preset} step's time goes with ${r.threads} thread(s) (wall clock):`);
    for (const [what, ms] of r.breakdown) console.log(`  ${what.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms  ${((100 * ms) / r.msPerStep).toFixed(0).padStart(3)}%`);
    if (r.threads !== 1) continue;
    const kernels = await kernelBreakdown(r.preset, r.batch);
    const total = kernels.reduce((a, [, ms]) => a + ms, 0);
    console.log(`  forward + backward by kernel kind (one profiled pass on one thread, ${total.toFixed(0)} ms with the profiler's overhead):`);
    for (const [what, ms] of kernels) console.log(`    ${what.padEnd(62)} ${ms.toFixed(0).padStart(6)} ms ${((100 * ms) / total).toFixed(0).padStart(3)}%`);
  }
  if (args.reference) {
    console.log('');
    console.log('PyTorch reference (shared/bench/peer_torch_electra.py, same machine, same run):');
    for (const { preset, batch } of args.presets) {
      const ours = results.filter((r) => r.preset === preset && r.batch === batch).sort((x, y) => y.tokensPerSec - x.tokensPerSec)[0];
      if (!ours) continue;
      let best: { tps: number; threads: number } | undefined;
      for (const threads of [...new Set([1, args.threads])]) {
        const line = reference(preset, batch, threads, Math.max(2, Math.min(args.steps, 5)));
        if (!line) continue;
        const tps = Number(/tokens\/s=(\d+)/.exec(line)?.[1] ?? 0);
        console.log(`  ${line}`);
        if (!best || tps > best.tps) best = { tps, threads };
      }
      if (best) console.log(`  ${preset}: ELECTRA Studio ${ours.tokensPerSec.toFixed(0)} tokens/s (best, ${ours.threads} threads) vs PyTorch ${best.tps} (best, ${best.threads} threads): ratio ${(ours.tokensPerSec / best.tps).toFixed(2)}`);
      else console.log(`  ${preset}: reference not run (needs /usr/bin/python3 with torch: apt-get install python3-torch libopenblas0-pthread)`);
    }
  }
}

main().catch((e) => {
  console.error(`bench: error: ${(e as Error).message}`);
  process.exit(1);
});
