/**
 * Real-word confusables: sets of English words that are easy to type or choose one for
 * another, and that a spelling checker cannot catch because each is a word. The error
 * benchmark (plantErrors.ts) swaps a word for another member of its set. Members are
 * lowercase; apostrophes are ASCII.
 */
export const CONFUSABLE_SETS: readonly (readonly string[])[] = [
  ['their', 'there', "they're"],
  ['its', "it's"],
  ['then', 'than'],
  ['your', "you're"],
  ['affect', 'effect'],
  ['affected', 'effected'],
  ['to', 'too'],
  ['lose', 'loose'],
  ['whose', "who's"],
  ['accept', 'except'],
  ['weather', 'whether'],
  ['were', 'where'],
  ['of', 'off'],
  ['quiet', 'quite'],
  ['principal', 'principle'],
  ['advice', 'advise'],
  ['breath', 'breathe'],
  ['are', 'our'],
  ['know', 'no'],
  ['new', 'knew'],
  ['passed', 'past'],
  ['led', 'lead'],
  ['here', 'hear'],
  ['by', 'buy'],
  ['right', 'write'],
  ['piece', 'peace'],
  ['complement', 'compliment'],
  ['sight', 'site'],
  ['week', 'weak'],
  ['whole', 'hole'],
  ['where', 'wear'],
  ['through', 'threw'],
  ['each', 'every'],
  ['a', 'an'],
  ['is', 'as'],
  ['in', 'on'],
  ['form', 'from'],
  ['will', 'well'],
];

/** Every confusable word (lowercase) to the other members of its sets. */
export const CONFUSABLES: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const set of CONFUSABLE_SETS) {
    for (const word of set) {
      const others = map.get(word) ?? [];
      for (const other of set) if (other !== word && !others.includes(other)) others.push(other);
      map.set(word, others);
    }
  }
  return map;
})();

/** `word` with the capitalisation of `like`: all caps, first letter capital, or as is. */
export function matchCase(word: string, like: string): string {
  if (like.length > 1 && like === like.toUpperCase() && like !== like.toLowerCase()) return word.toUpperCase();
  if (like[0] !== like[0].toLowerCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}
