/** Shared setup for the engine's tests: real text, a tokenizer trained on it, temp folders. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { listBrownFiles, readBrownDocument } from '../../src/core/data/brown';
import { WordCounter, WordPieceTokenizer } from '../../src/core/data/tokenizer';

/** The Rust book chapters shipped beside the repository (CI has ../shared too). */
export const RUST_BOOK = resolve(__dirname, '../../../../shared/corpora/rust-book');

export function rustBookFiles(): string[] {
  return readdirSync(RUST_BOOK).filter((f) => f.endsWith('.md')).sort().map((f) => join(RUST_BOOK, f));
}

/** A corpus folder at `dir` holding the first `count` Rust book chapters: a small real workspace to train on. */
export function rustBookCorpus(dir: string, count = 12): string {
  mkdirSync(dir, { recursive: true });
  for (const f of rustBookFiles().slice(0, count)) copyFileSync(f, join(dir, basename(f)));
  return dir;
}

export function brownTexts(count: number): string[] {
  return listBrownFiles().slice(0, count).map((p) => readBrownDocument(p).text);
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A small uncased WordPiece vocabulary trained on some Brown files. */
export function brownTokenizer(vocabSize = 1024, files = 40): WordPieceTokenizer {
  const counter = new WordCounter({ lowercase: true, stripAccents: true });
  for (const t of brownTexts(files)) counter.add(t);
  return WordPieceTokenizer.train(counter, { lowercase: true, stripAccents: true, vocabSize, minFrequency: 2 });
}

export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `electra-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
