/**
 * How often the editor's swap fix (src/core/score/swaps.ts) puts a planted swap right, and how
 * often it offers a swap on a flagged word that was never swapped: the quick fix as a user meets
 * it, on the benchmark's planted errors (plantErrors.ts).
 */
import { preferredSwaps, type SwapReader } from '../score/swaps';
import { plantErrors } from './plantErrors';
import type { Paragraphs } from './prose';
import { pieceScores, wordScores } from './words';

export interface SwapFixReport {
  seed: number;
  threshold: number;
  /** Planted swaps, and those with a word flagged at the threshold (a fix is asked for). */
  swapsPlanted: number;
  swapsFlagged: number;
  /** Flagged swaps whose first offered swap restores the original order. */
  restored: number;
  /** Flagged swaps offered some other swap. */
  wrong: number;
  /** Flagged words of clean sentences, and those offered a swap (none is right there). */
  cleanFlagged: number;
  cleanOffered: number;
}

export async function swapFixBenchmark(o: { paragraphs: Paragraphs; seed: number; threshold: number; reader: SwapReader }): Promise<SwapFixReport> {
  const planted = plantErrors(o.paragraphs, { seed: o.seed });
  const p = wordScores(planted.words, pieceScores((await o.reader.score(planted.text)).tokens));
  const report: SwapFixReport = { seed: o.seed, threshold: o.threshold, swapsPlanted: 0, swapsFlagged: 0, restored: 0, wrong: 0, cleanFlagged: 0, cleanOffered: 0 };
  const fixesFor = (w: number) => preferredSwaps(planted.text, planted.words[w], o.threshold, o.reader);
  for (let w = 0; w < planted.words.length; w++) {
    const e = planted.errorOf[w];
    if (e >= 0 && planted.errors[e].kind === 'swapped' && planted.errorOf[w + 1] === e) {
      // The pair's two words: the fix is asked for on the one flagged higher, as a user would click it.
      report.swapsPlanted++;
      const flagged = p[w] >= p[w + 1] ? w : w + 1;
      if (!(p[flagged] >= o.threshold)) continue;
      report.swapsFlagged++;
      const [first] = await fixesFor(flagged);
      if (!first) continue;
      const { start, end } = first.edit;
      // Exactly the pair (a word's edge marks may come with it): swapping it back restores the sentence.
      const { words } = planted;
      const exactlyThePair = start <= words[w].start && end >= words[w + 1].end && start >= (words[w - 1]?.end ?? 0) && end <= (words[w + 2]?.start ?? Infinity);
      if (exactlyThePair) report.restored++;
      else report.wrong++;
    } else if (e < 0 && planted.inCleanSentence[w] && p[w] >= o.threshold) {
      report.cleanFlagged++;
      if ((await fixesFor(w)).length > 0) report.cleanOffered++;
    }
  }
  return report;
}

export function formatSwapFixReport(r: SwapFixReport): string {
  const pct = (a: number, b: number) => (b === 0 ? '-' : `${Math.round((100 * a) / b)}%`);
  return (
    `swap fix (seed ${r.seed}, threshold ${r.threshold.toFixed(3)}): ${r.swapsFlagged} of ${r.swapsPlanted} planted swaps flagged; ` +
    `the first swap offered restores ${r.restored} (${pct(r.restored, r.swapsFlagged)}), another swap offered ${r.wrong}, none ${r.swapsFlagged - r.restored - r.wrong}; ` +
    `flagged clean words offered a swap: ${r.cleanOffered} of ${r.cleanFlagged} (${pct(r.cleanOffered, r.cleanFlagged)})`
  );
}
