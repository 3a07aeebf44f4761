/**
 * The benchmark's fixed parts, built from a corpus source: the baselines trained on a
 * source's training split, the fixed generator (a two-sided trigram sampler trained on
 * the Brown corpus's training split, the same for every run), held-out prose to plant
 * errors in, and a report as text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CorpusSource } from '../data/dataset';
import { findLatestCheckpoint } from '../run/checkpoint';
import { corpusDocuments, documentParagraphs, takeSentences, trainingSentences } from './corpusText';
import type { ErrorBenchmarkReport } from './errorBenchmark';
import { ERROR_KINDS } from './plantErrors';
import { KneserNeyTrigram } from './ngram';
import type { Paragraphs } from './prose';
import { trigramWordGenerator, type WordGenerator } from './wordGenerator';

export async function trainTrigram(source: CorpusSource): Promise<KneserNeyTrigram> {
  const model = new KneserNeyTrigram();
  model.add(trainingSentences(await corpusDocuments(source, 'train')));
  return model;
}

/** The trigram of Brown's training split: the default fixed generator of the replaced-word task, and Brown's baseline. */
export function fixedGenerator(): Promise<KneserNeyTrigram> {
  return trainTrigram({ kind: 'brown' });
}

/** The default fixed generator of the replaced-word task (wordGenerator.ts), from fixedGenerator()'s trigram. */
export function fixedTrigramGenerator(trigram: KneserNeyTrigram): WordGenerator {
  return trigramWordGenerator(trigram, "two-sided KN trigram sampler on Brown's training split");
}

/** Prose of the held-out documents of a source (or of every document), at most `maxSentences` sentences. */
export async function benchmarkProse(source: CorpusSource, maxSentences: number, split: 'heldOut' | 'all' = 'heldOut'): Promise<Paragraphs> {
  const docs = await corpusDocuments(source, split);
  return takeSentences(docs.flatMap((d) => documentParagraphs(source, d)), maxSentences);
}

/** The corpus a model was trained on: its run's run.json, or the corpus.json of its folder. */
export function trainingSourceOf(modelPath: string): CorpusSource {
  const checkpoint = findLatestCheckpoint(modelPath);
  if (!checkpoint) throw new Error(`${modelPath}: no checkpoint found`);
  for (let dir = resolve(checkpoint), i = 0; i < 4; i++, dir = dirname(dir)) {
    const corpusJson = join(dir, 'corpus.json');
    if (existsSync(corpusJson)) {
      const c = JSON.parse(readFileSync(corpusJson, 'utf8')) as { source: CorpusSource };
      return c.source.kind === 'folder' ? { ...c.source, root: resolve(dir, c.source.root) } : c.source;
    }
    const runJson = join(dir, 'run.json');
    if (existsSync(runJson)) {
      // run.json version 2 keeps the corpus at its top level, version 1 under options.
      const m = JSON.parse(readFileSync(runJson, 'utf8')) as { corpus?: CorpusSource; options?: { corpus?: CorpusSource } };
      const corpus = m.corpus ?? m.options?.corpus;
      if (corpus) return corpus;
    }
  }
  throw new Error(`${modelPath}: cannot tell what text it was trained on (no run.json or corpus.json above ${checkpoint})`);
}

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : 'n/a');

/** The report as a plain-text table, one row per system. */
export function formatErrorReport(r: ErrorBenchmarkReport): string {
  const kinds = [...ERROR_KINDS, 'all'] as const;
  const lines: string[] = [];
  lines.push(`planted errors: ${r.sentences} sentences, ${r.words} words; ${ERROR_KINDS.map((k) => `${k} ${r.errors[k] ?? 0}`).join(', ')} (seed ${r.seed})`);
  lines.push(`word-level ROC-AUC of planted words vs all other words (a word's score: the max over its WordPieces):`);
  lines.push(['system'.padEnd(26), ...kinds.map((k) => k.padStart(10)), 'replaced'.padStart(10)].join(''));
  for (const s of r.systems) lines.push([s.name.padEnd(26), ...kinds.map((k) => f3(s.calibrated.perKind[k].auc).padStart(10)), f3(s.replacedAuc).padStart(10)].join(''));
  lines.push(`recall (errors found) and false flags per 1,000 clean words:`);
  for (const s of r.systems) {
    if (s.atDefault) {
      const d = s.atDefault;
      lines.push(`  ${s.name} at its threshold ${s.thresholdFrom ?? d.threshold}: recall ${kinds.map((k) => `${k} ${pct(d.perKind[k].recall)}`).join(', ')}; ${f1(d.falseFlagsPer1000)} false flags/1k`);
    }
    const c = s.calibrated;
    lines.push(`  ${s.name} at ${r.falseFlagBudget} flags/1k (threshold ${c.threshold.toPrecision(4)}, fitted on this text's clean sentences): recall ${kinds.map((k) => `${k} ${pct(c.perKind[k].recall)}`).join(', ')}; ${f1(c.falseFlagsPer1000)} false flags/1k`);
  }
  lines.push(`replaced: ${r.replaced.replaced} of ${r.replaced.words} words replaced by the fixed generator (${r.replaced.generator}; its top-1 accuracy ${pct(r.replaced.generatorTop1)})`);
  return lines.join('\n');
}

/**
 * The mean word-level AUC per system and kind over reports of the same text planted with
 * different seeds (every system scored on the same plantings): one planting of a few hundred
 * errors moves an AUC by about 0.02, the mean of several much less.
 */
export function formatMeanOverPlantings(reports: ErrorBenchmarkReport[]): string {
  const kinds = [...ERROR_KINDS, 'all'] as const;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lines = [`mean word-level ROC-AUC over ${reports.length} plantings (seeds ${reports.map((r) => r.seed).join(', ')}); range of all kinds:`];
  lines.push(['system'.padEnd(26), ...kinds.map((k) => k.padStart(10)), 'replaced'.padStart(10), 'range'.padStart(14)].join(''));
  reports[0].systems.forEach((s, i) => {
    const all = reports.map((r) => r.systems[i].calibrated.perKind.all.auc);
    const byKind = kinds.map((k) => f3(mean(reports.map((r) => r.systems[i].calibrated.perKind[k].auc))).padStart(10));
    const range = `${f3(Math.min(...all))}-${f3(Math.max(...all))}`;
    lines.push([s.name.padEnd(26), ...byKind, f3(mean(reports.map((r) => r.systems[i].replacedAuc))).padStart(10), range.padStart(14)].join(''));
  });
  return lines.join('\n');
}
