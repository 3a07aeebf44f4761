/**
 * The most-frequent-tag baseline of a tagging task, the reference that says what a tagger's
 * accuracy means: each word type of the training words gets the tag it carries most often
 * there; a word never seen in training gets the most frequent tag overall. No model, no
 * context. Scored on the same held-out words the tagger is scored on.
 */

export interface TaggedToken {
  word: string;
  /** A label index of the task. */
  tag: number;
}

export interface MostFrequentTagScore {
  accuracy: number;
  /** Held-out words scored. */
  count: number;
  /** Share of the held-out words never seen in training (they get the overall most frequent tag). */
  unknownShare: number;
}

/** Ties break toward the smaller label index, so the result does not depend on word order. */
function argMax(counts: Map<number, number>): number {
  let best = -1;
  let bestCount = -1;
  for (const [tag, n] of counts) {
    if (n > bestCount || (n === bestCount && tag < best)) {
      best = tag;
      bestCount = n;
    }
  }
  return best;
}

export function mostFrequentTag(train: Iterable<TaggedToken>, test: Iterable<TaggedToken>): MostFrequentTagScore {
  const byWord = new Map<string, Map<number, number>>();
  const overall = new Map<number, number>();
  for (const { word, tag } of train) {
    let counts = byWord.get(word);
    if (!counts) byWord.set(word, (counts = new Map()));
    counts.set(tag, (counts.get(tag) ?? 0) + 1);
    overall.set(tag, (overall.get(tag) ?? 0) + 1);
  }
  if (overall.size === 0) throw new Error('the most-frequent-tag baseline needs training words');
  const fallback = argMax(overall);
  const best = new Map([...byWord].map(([word, counts]) => [word, argMax(counts)]));
  let count = 0;
  let right = 0;
  let unknown = 0;
  for (const { word, tag } of test) {
    count++;
    const guess = best.get(word);
    if (guess === undefined) unknown++;
    if ((guess ?? fallback) === tag) right++;
  }
  return { accuracy: count ? right / count : NaN, count, unknownShare: count ? unknown / count : NaN };
}
