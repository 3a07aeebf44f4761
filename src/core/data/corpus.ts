/**
 * A training corpus is a folder: its text-like files, chosen by include/exclude globs
 * (picomatch), read as streamed UTF-8. Files that cannot be used are skipped with a
 * reason: binary (a NUL byte in the first 8 KiB), too-large, unreadable, empty.
 *
 * Hidden files and folders (".name") are only included when an include pattern names
 * them explicitly (picomatch's default `dot: false`); exclude patterns match them too.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { forEachWord } from './normalizer';
import type { WordPieceTokenizer } from './tokenizer';
import { deriveSeed } from '../common/random';
import { CORPUS_DEFAULTS } from '../../shared/defaults';

export interface CorpusOptions {
  include: string[];
  exclude: string[];
  maxFileBytes: number;
}

/** The walk's options when none are given: src/shared/defaults.ts. */
export const DEFAULT_CORPUS_OPTIONS: CorpusOptions = {
  include: [...CORPUS_DEFAULTS.include],
  exclude: [...CORPUS_DEFAULTS.exclude],
  maxFileBytes: CORPUS_DEFAULTS.maxFileBytes,
};

export type SkipReason = 'binary' | 'too-large' | 'unreadable' | 'empty';
export const SKIP_REASONS: readonly SkipReason[] = ['binary', 'too-large', 'unreadable', 'empty'];

export interface CorpusFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the corpus root, "/"-separated. */
  relPath: string;
  bytes: number;
}

export interface SkippedFile {
  relPath: string;
  reason: SkipReason;
  detail: string;
}

export interface WalkResult {
  files: CorpusFile[];
  skipped: SkippedFile[];
}

/** Bytes examined for NUL when deciding that a file is binary. */
export const BINARY_SNIFF_BYTES = 8192;

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists the corpus files under `root`, depth first, entries sorted by name (UTF-16 order),
 * so the result is the same on every machine. Symbolic links to folders are not followed.
 */
export async function walkCorpus(root: string, options?: Partial<CorpusOptions>): Promise<WalkResult> {
  const opts: CorpusOptions = { ...DEFAULT_CORPUS_OPTIONS, ...options };
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch {
    throw new Error(`Corpus folder not found: ${root}`);
  }
  if (!rootStat.isDirectory()) throw new Error(`Corpus path is not a folder: ${root}`);

  const included = picomatch(opts.include.length > 0 ? opts.include : ['**/*']);
  const excluded = opts.exclude.length > 0 ? picomatch(opts.exclude, { dot: true }) : () => false;
  const files: CorpusFile[] = [];
  const skipped: SkippedFile[] = [];

  const visit = async (dir: string, relDir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (relDir !== '') skipped.push({ relPath: relDir, reason: 'unreadable', detail: errorText(e) });
      else throw new Error(`Corpus folder cannot be read: ${root}: ${errorText(e)}`);
      return;
    }
    entries.sort((x, y) => byName(x.name, y.name));
    for (const entry of entries) {
      const relPath = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      const path = join(dir, entry.name);
      if (excluded(relPath)) continue;
      if (entry.isDirectory()) {
        await visit(path, relPath);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || !included(relPath)) continue;
      const checked = await checkFile(path, relPath, opts.maxFileBytes);
      if (checked === null) continue; // a link to a folder, or dangling
      if ('reason' in checked) skipped.push(checked);
      else files.push(checked);
    }
  };
  await visit(root, '');
  return { files, skipped };
}

async function checkFile(path: string, relPath: string, maxFileBytes: number): Promise<CorpusFile | SkippedFile | null> {
  let bytes: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return null;
    bytes = s.size;
  } catch (e) {
    return { relPath, reason: 'unreadable', detail: errorText(e) };
  }
  if (bytes > maxFileBytes) return { relPath, reason: 'too-large', detail: `${bytes} bytes > limit ${maxFileBytes}` };
  if (bytes === 0) return { relPath, reason: 'empty', detail: '0 bytes' };
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(Math.min(BINARY_SNIFF_BYTES, bytes));
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      const nul = head.subarray(0, bytesRead).indexOf(0);
      if (nul >= 0) return { relPath, reason: 'binary', detail: `NUL byte at offset ${nul}` };
    } finally {
      await fh.close();
    }
  } catch (e) {
    return { relPath, reason: 'unreadable', detail: errorText(e) };
  }
  return { path, relPath, bytes };
}

/**
 * The corpus rules for one text given to score (a file from the command line, a document
 * the language server is asked to annotate): at most `maxBytes` of UTF-8, and no NUL in
 * its first BINARY_SNIFF_BYTES. The reason it is refused, or undefined.
 */
export function textRefusal(text: string, maxBytes = DEFAULT_CORPUS_OPTIONS.maxFileBytes): string | undefined {
  // UTF-8 takes at least one byte per UTF-16 unit and at most three: decide without counting where possible.
  const bytes = text.length > maxBytes ? text.length : 3 * text.length <= maxBytes ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) return `too large: ${formatBytes(bytes)}${text.length > maxBytes ? ' or more' : ''}, over the limit of ${formatBytes(maxBytes)}`;
  const nul = text.slice(0, BINARY_SNIFF_BYTES).indexOf('\0');
  if (nul >= 0) return `binary: a NUL character at offset ${nul}`;
  return undefined;
}

/** "10 MiB", "1.5 MiB", "812 KiB", "100 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / 2 ** 20).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

/** Bytes read at a time by readTextFile. */
const READ_BYTES = 64 * 1024;

/**
 * Reads one text file under the corpus rules, whatever it is (a pipe or a device such as
 * /dev/zero reports size 0 and never ends): at most `maxBytes` + 1 bytes are read, and the
 * first read is checked for NUL. Invalid UTF-8 is decoded as U+FFFD. Throws a one-line error
 * starting with `path`.
 */
export function readTextFile(path: string, maxBytes = DEFAULT_CORPUS_OPTIONS.maxFileBytes): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : errorText(e)}`);
  }
  try {
    if (fstatSync(fd).isDirectory()) throw new Error(`cannot read ${path}: it is a folder`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(READ_BYTES, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      if (total === 0) {
        const nul = chunk.subarray(0, Math.min(n, BINARY_SNIFF_BYTES)).indexOf(0);
        if (nul >= 0) throw new Error(`${path} is binary (a NUL byte at offset ${nul}): only text files can be scored`);
      }
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new Error(`${path} is too large: over the limit of ${formatBytes(maxBytes)} for one document`);
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface TextChunk {
  text: string;
  /** Invalid UTF-8 sequences in the bytes behind this text (each decoded as U+FFFD). */
  invalidUtf8: number;
}

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** Counts U+FFFD in decoded text. */
function countReplacement(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

/** Last position where a chunk may end without changing tokenization: after a line break or space. */
function lastBreak(text: string): number {
  const nl = text.lastIndexOf('\n');
  if (nl >= 0) return nl + 1;
  const sp = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\t'), text.lastIndexOf('\r'));
  return sp >= 0 ? sp + 1 : -1;
}

/**
 * Streams a file as text. Chunks of about chunkBytes end after a line break (or a space
 * when a chunk has none), so they never split a character or a word; a single "word"
 * longer than max(4 × chunkBytes, 65536) units is cut anyway. Invalid UTF-8 is decoded as U+FFFD and
 * counted; a literal U+FFFD in the file (bytes EF BF BD) is not counted.
 */
export async function* readTextChunks(file: CorpusFile, chunkBytes = DEFAULT_CHUNK_BYTES): AsyncGenerator<TextChunk> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const stream = createReadStream(file.path, { highWaterMark: Math.max(16, chunkBytes) });
  let pending = '';
  let pendingInvalid = 0;
  // The last two bytes of the previous buffer, to find EF BF BD across buffer edges.
  let tail1 = -1; // byte before last
  let tail2 = -1; // last byte
  const maxPending = Math.max(4 * chunkBytes, 65536); // UTF-16 units
  for await (const buf of stream as AsyncIterable<Buffer>) {
    let literal = 0;
    for (let i = buf.indexOf(0xbd); i >= 0; i = buf.indexOf(0xbd, i + 1)) {
      const b1 = i >= 1 ? buf[i - 1] : tail2;
      const b0 = i >= 2 ? buf[i - 2] : i === 1 ? tail2 : tail1;
      if (b1 === 0xbf && b0 === 0xef) literal++;
    }
    if (buf.length >= 2) {
      tail1 = buf[buf.length - 2];
      tail2 = buf[buf.length - 1];
    } else if (buf.length === 1) {
      tail1 = tail2;
      tail2 = buf[0];
    }
    // The decoder emits a character once its last byte arrives, as the literal count does.
    const decoded = decoder.decode(buf, { stream: true });
    pending += decoded;
    pendingInvalid += countReplacement(decoded) - literal;
    let cut = lastBreak(pending);
    if (cut <= 0) {
      if (pending.length < maxPending) continue;
      cut = pending.length;
      const last = pending.charCodeAt(cut - 1);
      if (last >= 0xd800 && last <= 0xdbff) cut--; // keep a surrogate pair together
    }
    const text = pending.slice(0, cut);
    pending = pending.slice(cut);
    // Totals are exact; U+FFFD still pending are presumed invalid rather than literal.
    const rest = pendingInvalid > 0 ? Math.min(pendingInvalid, countReplacement(pending)) : 0;
    yield { text, invalidUtf8: pendingInvalid - rest };
    pendingInvalid = rest;
  }
  const last = decoder.decode();
  pending += last;
  pendingInvalid += countReplacement(last);
  if (pending.length > 0) yield { text: pending, invalidUtf8: pendingInvalid };
}

/**
 * Whether a file belongs to the held-out split: decided by a stable hash of its relPath
 * ("\\" read as "/"), so a file stays on its side as the corpus grows.
 */
export function isHeldOut(relPath: string, heldOutFraction: number, seed = 0): boolean {
  if (heldOutFraction <= 0) return false;
  if (heldOutFraction >= 1) return true;
  return deriveSeed(seed >>> 0, relPath.replace(/\\/g, '/')) / 2 ** 32 < heldOutFraction;
}

export interface CorpusStats {
  files: number;
  bytes: number;
  /** BasicTokenizer words (whitespace- and punctuation-separated). */
  words: number;
  /** WordPiece tokens; 0 without a tokenizer. */
  tokens: number;
  unknownTokens: number;
  /** unknownTokens / tokens (0 when there are no tokens). */
  unknownRate: number;
  invalidUtf8: number;
  skipped: { reason: SkipReason; count: number; examples: string[] }[];
}

const SKIP_EXAMPLES = 5;

/** Reads the whole corpus once and counts. Skip reasons are listed only when they occur. */
export async function corpusStats(root: string, tokenizer: WordPieceTokenizer | undefined, options?: Partial<CorpusOptions>): Promise<CorpusStats> {
  const { files, skipped } = await walkCorpus(root, options);
  const wordOptions = tokenizer?.options ?? { lowercase: true, stripAccents: true };
  let bytes = 0;
  let words = 0;
  let tokens = 0;
  let unknownTokens = 0;
  let invalidUtf8 = 0;
  const unk = tokenizer?.specialIds.unk;
  for (const file of files) {
    bytes += file.bytes;
    for await (const chunk of readTextChunks(file)) {
      invalidUtf8 += chunk.invalidUtf8;
      if (tokenizer) {
        forEachWord(chunk.text, wordOptions, (w) => {
          words++;
          const pieces = tokenizer.wordPieces(w);
          tokens += pieces.length / 3;
          if (pieces[0] === unk) unknownTokens++; // [UNK] is always a whole word
        });
      } else {
        forEachWord(chunk.text, wordOptions, () => words++);
      }
    }
  }
  const byReason = SKIP_REASONS.map((reason) => {
    const of = skipped.filter((s) => s.reason === reason);
    return { reason, count: of.length, examples: of.slice(0, SKIP_EXAMPLES).map((s) => s.relPath) };
  }).filter((r) => r.count > 0);
  return {
    files: files.length,
    bytes,
    words,
    tokens,
    unknownTokens,
    unknownRate: tokens > 0 ? unknownTokens / tokens : 0,
    invalidUtf8,
    skipped: byReason,
  };
}
