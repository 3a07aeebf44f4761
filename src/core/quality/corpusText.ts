/**
 * The text of a corpus source for the error benchmark, split as training splits it
 * (src/core/data/dataset.ts: held out by a stable hash of each file's path): the training
 * documents' sentences for the baselines, and the held-out documents' prose paragraphs
 * for planting errors.
 */
import { listDocuments, HELD_OUT_FRACTION, type CorpusSource } from '../data/dataset';
import { isHeldOut } from '../data/corpus';
import { sentenceWords } from './ngram';
import { paragraphsOfLines, paragraphsOfMarkdown, type Paragraphs } from './prose';

export interface CorpusDocumentText {
  relPath: string;
  text: string;
}

export async function corpusDocuments(source: CorpusSource, split: 'train' | 'heldOut' | 'all'): Promise<CorpusDocumentText[]> {
  const { docs } = await listDocuments(source);
  const out: CorpusDocumentText[] = [];
  for (const doc of docs) {
    const held = isHeldOut(doc.relPath, HELD_OUT_FRACTION);
    if (split !== 'all' && held !== (split === 'heldOut')) continue;
    let text = '';
    for await (const chunk of doc.chunks()) text += chunk;
    out.push({ relPath: doc.relPath, text });
  }
  return out;
}

/** Prose paragraphs of a document: Brown's one sentence a line, anything else read as Markdown. */
export function documentParagraphs(source: CorpusSource, doc: CorpusDocumentText): Paragraphs {
  return source.kind === 'brown' ? paragraphsOfLines(doc.text) : paragraphsOfMarkdown(doc.text);
}

/** Sentences (lowercase words) of training text: each line split at sentence ends. */
export function* trainingSentences(docs: Iterable<CorpusDocumentText>): Generator<string[]> {
  for (const doc of docs) {
    for (const line of doc.text.split('\n')) {
      for (const sentence of line.split(/(?<=[.!?])\s+/)) {
        const words = sentenceWords(sentence);
        if (words.length > 0) yield words;
      }
    }
  }
}

/** The first paragraphs of documents, up to `maxSentences` sentences in all. */
export function takeSentences(paragraphs: Paragraphs, maxSentences: number): Paragraphs {
  const out: Paragraphs = [];
  let n = 0;
  for (const p of paragraphs) {
    if (n >= maxSentences) break;
    const kept = p.slice(0, maxSentences - n);
    out.push(kept);
    n += kept.length;
  }
  return out;
}
