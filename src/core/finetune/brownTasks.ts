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
import { evenlySpread, LabelSet, type LabelledSequence, type TaskData } from './task';

export interface BrownTaskOptions {
  tokenizer: WordPieceTokenizer;
  /** Tokens per sequence, [CLS] and [SEP] included. */
  seqLength: number;
  /** At most this many training / held-out sequences, evenly spread over the files (keeps runs short). */
  maxTrain?: number;
  maxTest?: number;
}

const SPLIT = `Brown files split as in pre-training: ${HELD_OUT_FRACTION * 100}% of the files held out (isHeldOut)`;

function splitFiles(): { train: string[]; test: string[] } {
  const files = listBrownFiles();
  return { train: files.filter((f) => !isHeldOut(basename(f), HELD_OUT_FRACTION)), test: files.filter((f) => isHeldOut(basename(f), HELD_OUT_FRACTION)) };
}

/** Part-of-speech tagging: consecutive sentences of a file packed into sequences of at most seqLength. */
export function brownPosTask(o: BrownTaskOptions): TaskData {
  const labels = new LabelSet();
  const { cls, sep } = o.tokenizer.specialIds;
  const room = o.seqLength - 2;
  const sequencesOf = (path: string): LabelledSequence[] => {
    const out: LabelledSequence[] = [];
    let ids: number[] = [];
    let tags: number[] = [];
    const flush = () => {
      if (ids.length === 0) return;
      out.push({ ids: Int32Array.from([cls, ...ids, sep]), tokenLabels: Int32Array.from([-1, ...tags, -1]) });
      ids = [];
      tags = [];
    };
    for (const sentence of readTaggedSentences(path)) {
      const pieces: number[] = [];
      const pieceTags: number[] = [];
      for (const { word, tag } of sentence) {
        const wp = o.tokenizer.encodeIds(word);
        if (wp.length === 0) continue;
        wp.forEach((id, k) => {
          pieces.push(id);
          pieceTags.push(k === 0 ? labels.id(tag) : -1); // the word's label on its first piece
        });
      }
      if (ids.length + pieces.length > room) flush();
      // A sentence longer than a sequence is cut: the words past the end are not scored.
      ids.push(...pieces.slice(0, room));
      tags.push(...pieceTags.slice(0, room));
    }
    flush();
    return out;
  };
  const files = splitFiles();
  const train = evenlySpread(files.train.flatMap(sequencesOf), o.maxTrain);
  const test = evenlySpread(files.test.flatMap(sequencesOf), o.maxTest);
  return { name: 'pos', kind: 'token', metric: 'accuracy', labels: labels.names, train, test, split: SPLIT };
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
  const files = splitFiles();
  // Label indexes in genre order, whatever order the files come in.
  for (const g of 'abcdefghjklmnpr') labels.id(g);
  const train = evenlySpread(files.train.flatMap(windowsOf), o.maxTrain);
  const test = evenlySpread(files.test.flatMap(windowsOf), o.maxTest);
  return { name: 'genre', kind: 'sequence', metric: 'macroF1', labels: labels.names, train, test, split: SPLIT };
}
