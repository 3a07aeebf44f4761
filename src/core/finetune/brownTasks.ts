/**
 * Downstream tasks from the Brown corpus, split by file with the rule pre-training uses
 * for its held-out split (data/corpus.ts isHeldOut, 10% of the files): a model pre-trained
 * on Brown is never tested on text it was pre-trained on.
 *   pos:   part-of-speech tagging on Brown's own tags (data/brown.ts taggedWords), a word's
 *          label on its first WordPiece; sentences of a file packed into sequences. Accuracy.
 *   genre: the file's category letter (a..r, 15 genres) from windows of its text. Macro-F1.
 */
import { basename } from 'node:path';
import { isHeldOut } from '../data/corpus';
import { HELD_OUT_FRACTION } from '../data/dataset';
import { listBrownFiles, readBrownDocument, readTaggedSentences } from '../data/brown';
import type { WordPieceTokenizer } from '../data/tokenizer';
import { mostFrequentTag, type TaggedToken } from './mostFrequentTag';
import { evenlySpread, LabelSet, type LabelledSequence, type TaskData } from './task';

export interface BrownTaskOptions {
  tokenizer: WordPieceTokenizer;
  /** Tokens per sequence, [CLS] and [SEP] included. */
  seqLength: number;
  /** At most this many training / held-out sequences, evenly spread over the files (keeps runs short). */
  maxTrain?: number;
  maxTest?: number;
  /**
   * 'test' (default): score on the held-out files. 'dev': score on a dev split drawn from the
   * training files (a second draw of the same rule), which then leave training: for choosing
   * settings without looking at the test files.
   */
  heldOut?: 'test' | 'dev';
}

const SPLIT = `Brown files split as in pre-training: ${HELD_OUT_FRACTION * 100}% of the files held out (isHeldOut)`;

const DEV_SPLIT = `Brown's training files (as in pre-training) split again: ${HELD_OUT_FRACTION * 100}% of them are a dev split (isHeldOut, seed 1); the test files are not used`;

function splitFiles(heldOut: 'test' | 'dev' = 'test'): { train: string[]; test: string[]; split: string } {
  const training = listBrownFiles().filter((f) => !isHeldOut(basename(f), HELD_OUT_FRACTION));
  const test = listBrownFiles().filter((f) => isHeldOut(basename(f), HELD_OUT_FRACTION));
  if (heldOut === 'test') return { train: training, test, split: SPLIT };
  const dev = (f: string) => isHeldOut(basename(f), HELD_OUT_FRACTION, 1);
  return { train: training.filter((f) => !dev(f)), test: training.filter(dev), split: DEV_SPLIT };
}

/**
 * Part-of-speech tagging: consecutive sentences of a file packed into sequences of at most
 * seqLength. Its reference is the most-frequent-tag baseline learnt from the same training
 * sequences and scored on the same held-out words.
 */
export function brownPosTask(o: BrownTaskOptions): TaskData {
  const labels = new LabelSet();
  const { cls, sep } = o.tokenizer.specialIds;
  const room = o.seqLength - 2;
  /** A sequence and the words it scores, in order (for the most-frequent-tag baseline). */
  type Packed = { sequence: LabelledSequence; words: TaggedToken[] };
  const sequencesOf = (path: string): Packed[] => {
    const out: Packed[] = [];
    let ids: number[] = [];
    let tags: number[] = [];
    let words: TaggedToken[] = [];
    const flush = () => {
      if (ids.length === 0) return;
      out.push({ sequence: { ids: Int32Array.from([cls, ...ids, sep]), tokenLabels: Int32Array.from([-1, ...tags, -1]) }, words });
      ids = [];
      tags = [];
      words = [];
    };
    for (const sentence of readTaggedSentences(path)) {
      const pieces: number[] = [];
      const pieceTags: number[] = [];
      const pieceWords: Array<TaggedToken | undefined> = [];
      for (const { word, tag } of sentence) {
        const wp = o.tokenizer.encodeIds(word);
        if (wp.length === 0) continue;
        const label = labels.id(tag);
        wp.forEach((id, k) => {
          pieces.push(id);
          pieceTags.push(k === 0 ? label : -1); // the word's label on its first piece
          pieceWords.push(k === 0 ? { word, tag: label } : undefined);
        });
      }
      if (ids.length + pieces.length > room) flush();
      // A sentence longer than a sequence is cut: the words past the end are not scored.
      ids.push(...pieces.slice(0, room));
      tags.push(...pieceTags.slice(0, room));
      words.push(...pieceWords.slice(0, room).filter((w): w is TaggedToken => w !== undefined));
    }
    flush();
    return out;
  };
  const files = splitFiles(o.heldOut);
  const train = evenlySpread(files.train.flatMap(sequencesOf), o.maxTrain);
  const test = evenlySpread(files.test.flatMap(sequencesOf), o.maxTest);
  const baseline = mostFrequentTag(train.flatMap((p) => p.words), test.flatMap((p) => p.words));
  return {
    name: 'pos',
    kind: 'token',
    metric: 'accuracy',
    labels: labels.names,
    train: train.map((p) => p.sequence),
    test: test.map((p) => p.sequence),
    split: files.split,
    reference: {
      name: 'most-frequent tag',
      score: baseline.accuracy,
      note: `each training word's most frequent tag, the overall most frequent tag for the ${(100 * baseline.unknownShare).toFixed(1)}% of held-out words unseen in training`,
    },
  };
}

/** Genre classification: windows of seqLength - 2 pieces of each file, labelled with its category letter. */
export function brownGenreTask(o: BrownTaskOptions & { windowsPerFile?: number }): TaskData {
  const labels = new LabelSet();
  const { cls, sep } = o.tokenizer.specialIds;
  const room = o.seqLength - 2;
  const perFile = o.windowsPerFile ?? 4;
  const windowsOf = (path: string): LabelledSequence[] => {
    const doc = readBrownDocument(path);
    const label = labels.id(doc.genre);
    const ids = o.tokenizer.encodeIds(doc.text);
    const count = Math.min(perFile, Math.floor(ids.length / room));
    // Windows spread over the file, not only its opening.
    const stride = count > 0 ? Math.floor(ids.length / count) : 0;
    return Array.from({ length: count }, (_, w) => ({ ids: Int32Array.from([cls, ...ids.slice(w * stride, w * stride + room), sep]), label }));
  };
  const files = splitFiles(o.heldOut);
  // Label indexes in genre order, whatever order the files come in.
  for (const g of 'abcdefghjklmnpr') labels.id(g);
  const train = evenlySpread(files.train.flatMap(windowsOf), o.maxTrain);
  const test = evenlySpread(files.test.flatMap(windowsOf), o.maxTest);
  return { name: 'genre', kind: 'sequence', metric: 'macroF1', labels: labels.names, train, test, split: files.split };
}
