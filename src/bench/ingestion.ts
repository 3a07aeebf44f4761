/**
 * Corpus ingestion: the engine's real data path (prepareData of src/core/data/dataset.ts: corpus
 * walk, streamed reading, WordPiece vocabulary, tokenization and packing to disk) over a
 * corpus of N MB of Brown text, with its speed per pass and the process's memory as it goes.
 *
 * The corpus: files of 0.5 to 2 MB (Markdown and plain text, in sub-folders), each made of
 * Brown paragraphs drawn in a seeded random order, so that no two files are alike.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HELD_OUT_FRACTION, prepareData } from '../core/data/dataset';
import { isHeldOut, walkCorpus } from '../core/data/corpus';
import { Rng } from '../core/common/random';
import { brownParagraphs, NORMALIZATION } from './fixtures';
import { describeMachine, mib } from './machine';

export interface IngestionOptions {
  megabytes: number;
  tmpDir: string;
  seqLength?: number;
  vocabSize?: number;
}

const MB = 1e6;

/** Writes about `megabytes` MB of Brown paragraphs into `dir`; returns the bytes written. */
export function writeBrownCorpus(dir: string, megabytes: number, seed = 11): { bytes: number; files: number } {
  const paragraphs = brownParagraphs();
  const rng = new Rng(seed);
  const target = megabytes * MB;
  let bytes = 0;
  let files = 0;
  while (bytes < target) {
    const size = Math.min(target - bytes, (0.5 + 1.5 * rng.next()) * MB);
    const parts: string[] = [];
    let fileBytes = 0;
    while (fileBytes < size) {
      const p = paragraphs[rng.int(paragraphs.length)];
      parts.push(p);
      fileBytes += Buffer.byteLength(p) + 2;
    }
    const sub = join(dir, `part-${String(Math.floor(files / 20)).padStart(3, '0')}`);
    mkdirSync(sub, { recursive: true });
    const name = join(sub, `doc-${String(files).padStart(5, '0')}.${files % 3 === 0 ? 'txt' : 'md'}`);
    writeFileSync(name, parts.join('\n\n') + '\n');
    bytes += statSync(name).size;
    files++;
  }
  return { bytes, files };
}

interface Sample {
  at: number;
  rss: number;
  heap: number;
}

/** Every this often the ingestion samples the JS heap that survives a full garbage collection. */
const RETAINED_EVERY_MS = 2000;

/** V8's full garbage collection (the bench runs without --expose-gc). */
function fullGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function runIngestion(o: IngestionOptions): Promise<void> {
  const seqLength = o.seqLength ?? 128;
  const vocabSize = o.vocabSize ?? 8192;
  const corpusDir = join(o.tmpDir, 'corpus');
  const runDir = join(o.tmpDir, 'run');
  console.log(`machine: ${describeMachine()}`);
  let t = performance.now();
  const written = writeBrownCorpus(corpusDir, o.megabytes);
  const { files } = await walkCorpus(corpusDir);
  const heldOutBytes = files.filter((f) => isHeldOut(f.relPath, HELD_OUT_FRACTION)).reduce((a, f) => a + f.bytes, 0);
  console.log(`corpus: ${written.files} files, ${(written.bytes / MB).toFixed(1)} MB of Brown paragraphs in seeded random order (written in ${((performance.now() - t) / 1000).toFixed(1)} s); ${((written.bytes - heldOutBytes) / MB).toFixed(1)} MB in the training split`);
  console.log(`prepareData: WordPiece vocabulary of ${vocabSize} (lower-cased, accents stripped), sequences of ${seqLength}, packed to ${runDir}/data`);

  const samples: Sample[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ at: performance.now(), rss: m.rss, heap: m.heapUsed });
  };
  const timer = setInterval(sample, 50);
  // Heap in use right after a full collection: what the ingestion holds, garbage excluded.
  const gc = fullGc();
  const retained: Sample[] = [];
  const retainedTimer = setInterval(() => {
    gc();
    const m = process.memoryUsage();
    retained.push({ at: performance.now(), rss: m.rss, heap: m.heapUsed });
  }, RETAINED_EVERY_MS);
  const marks: Array<{ at: number; message: string }> = [];
  sample();
  const start = samples[0];
  t = performance.now();
  try {
    const data = await prepareData({
      source: { kind: 'folder', root: corpusDir },
      runDir,
      seqLength,
      vocabSize,
      normalization: NORMALIZATION,
      log: (message) => {
        sample();
        marks.push({ at: performance.now(), message });
      },
    });
    sample();
    data.train.close();
    data.heldOut.close();
    const total = (performance.now() - t) / 1000;
    const markAt = (prefix: string) => marks.find((m) => m.message.startsWith(prefix))?.at;
    const counted = markAt('words:');
    const vocab = markAt('vocabulary:');
    const packed = markAt('data:');
    const listed = markAt('corpus:') ?? t;
    console.log('');
    console.log('| pass | MB read | seconds | MB/s |');
    console.log('|---|---|---|---|');
    const trainMb = (written.bytes - heldOutBytes) / MB;
    if (counted !== undefined && vocab !== undefined) {
      console.log(`| vocabulary: count words (training split) | ${trainMb.toFixed(1)} | ${((counted - listed) / 1000).toFixed(1)} | ${(trainMb / ((counted - listed) / 1000)).toFixed(2)} |`);
      console.log(`| vocabulary: train WordPiece on the counts | - | ${((vocab - counted) / 1000).toFixed(1)} | - |`);
    } else if (vocab !== undefined) {
      console.log(`| vocabulary (count words + train WordPiece) | ${trainMb.toFixed(1)} | ${((vocab - listed) / 1000).toFixed(1)} | ${(trainMb / ((vocab - listed) / 1000)).toFixed(2)} |`);
    }
    if (vocab !== undefined && packed !== undefined) {
      const mb = written.bytes / MB;
      console.log(`| tokenize + pack to disk (all files) | ${mb.toFixed(1)} | ${((packed - vocab) / 1000).toFixed(1)} | ${(mb / ((packed - vocab) / 1000)).toFixed(2)} |`);
    }
    console.log(`| all of prepareData | ${(written.bytes / MB).toFixed(1)} | ${total.toFixed(1)} | ${(written.bytes / MB / total).toFixed(2)} |`);
    console.log(`result: ${data.meta.train.sequences} training + ${data.meta.heldOut.sequences} held-out sequences, ${data.meta.train.tokens + data.meta.heldOut.tokens} tokens, vocabulary ${data.tokenizer.vocabSize}`);
    for (const m of marks) console.log(`  log: ${m.message}`);

    // Memory: at start, peak, end, and within each pass at its first and last tenth: flat
    // memory means the second does not exceed the first by more than noise.
    const end = samples.at(-1)!;
    const peak = samples.reduce((a, s) => (s.rss > a.rss ? s : a));
    const peakHeap = samples.reduce((a, s) => (s.heap > a.heap ? s : a));
    console.log('');
    console.log(`memory (MiB): RSS at start ${mib(start.rss)}, peak ${mib(peak.rss)}, end ${mib(end.rss)}; JS heap used at start ${mib(start.heap)}, peak ${mib(peakHeap.heap)}, end ${mib(end.heap)}`);
    const within = (name: string, from: number | undefined, to: number | undefined) => {
      if (from === undefined || to === undefined) return;
      const span = samples.filter((s) => s.at >= from && s.at <= to);
      if (span.length < 10) return;
      const tenth = Math.max(1, Math.floor(span.length / 10));
      const head = span.slice(0, tenth);
      const tail = span.slice(-tenth);
      const max = (xs: Sample[], k: 'rss' | 'heap') => Math.max(...xs.map((s) => s[k]));
      console.log(`  ${name}: peak RSS in its first tenth ${mib(max(head, 'rss'))}, in its last tenth ${mib(max(tail, 'rss'))}; peak JS heap ${mib(max(head, 'heap'))} -> ${mib(max(tail, 'heap'))}`);
    };
    within('counting words', listed, counted ?? vocab);
    within('tokenize + pack', vocab, packed);
    const kept = (from: number | undefined, to: number | undefined) =>
      retained.filter((r) => from !== undefined && to !== undefined && r.at >= from && r.at <= to).map((r) => mib(r.heap)).join(', ');
    console.log(`  JS heap retained after a full GC, every ${RETAINED_EVERY_MS / 1000} s (MiB): counting words [${kept(listed, counted ?? vocab)}], tokenize + pack [${kept(vocab, packed)}]`);
  } finally {
    clearInterval(timer);
    clearInterval(retainedTimer);
  }
}
