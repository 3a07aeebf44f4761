/**
 * BERT's BasicTokenizer (google-research/bert tokenization.py), with offsets.
 *
 * Steps, in BERT's order:
 *   1. clean: drop U+0000, U+FFFD and control characters (every "C" category: Cc, Cf, Cs, Co, Cn);
 *      whitespace (space, \t, \n, \r, Zs) separates words. \t \n \r are not controls.
 *   2. CJK ideographs become single-character words.
 *   3. optional lowercasing, then optional accent stripping (NFD, drop Mn).
 *   4. punctuation (ASCII 33-47, 58-64, 91-96, 123-126, and Unicode P*) becomes
 *      single-character words.
 *
 * Normalization is applied one source character (code point) at a time, so every UTF-16
 * unit of a normalized word knows the source character it came from: `starts[k]`/`ends[k]`
 * are UTF-16 offsets into the ORIGINAL text. A source character that normalizes to
 * several units ("İ" → "i̇") maps all of them to its own range; a combining accent that
 * vanishes extends the range of the character before it in the same word. Lowercasing is per character
 * except for Σ, whose lower case depends on its neighbours (ς at the end of a word, as
 * Python's str.lower() and Rust's to_lowercase() give).
 */

export interface NormalizationOptions {
  lowercase: boolean;
  stripAccents: boolean;
}

/** One word of the BasicTokenizer, normalized, with its source positions. */
export interface PreToken {
  /** Normalized text of the word (lowercased/accent-stripped as configured). */
  text: string;
  /** Source range of the whole word in the original text (UTF-16, end exclusive). */
  start: number;
  end: number;
  /** Per UTF-16 unit of `text`: the source range of the character it came from. */
  starts: Int32Array;
  ends: Int32Array;
}

// Character classes of a source code point.
const enum CharClass {
  Regular = 0,
  Removed = 1, // U+0000, U+FFFD, controls
  Space = 2,
  Cjk = 3,
}

// BERT drops every "C" category (_is_control: category.startswith("C")): controls, format
// characters, surrogates, private use and unassigned code points.
const CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]$/u;
const SPACE_RE = /^\p{Zs}$/u;
const PUNCT_RE = /^\p{P}$/u;
const MARK_RE = /\p{Mn}/gu;

/** BERT's _is_chinese_char: the CJK Unified Ideographs blocks (not Hangul, kana). */
export function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BERT's _is_punctuation: all non-alphanumeric ASCII printables, plus Unicode P*. */
export function isPunctuation(cp: number): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  if (cp < 128) return false;
  return PUNCT_RE.test(String.fromCodePoint(cp));
}

const CAPITAL_SIGMA = 0x3a3;
const FINAL_SIGMA_BEFORE = /\p{Cased}\p{Case_Ignorable}*$/u;
const FINAL_SIGMA_AFTER = /^\p{Case_Ignorable}*\p{Cased}/u;
/** Unicode's Final_Sigma condition for the Σ at text[from, to): a cased letter before it, none after. */
function isFinalSigma(text: string, from: number, to: number): boolean {
  return FINAL_SIGMA_BEFORE.test(text.slice(Math.max(0, from - 32), from)) && !FINAL_SIGMA_AFTER.test(text.slice(to, to + 32));
}

const classCache = new Map<number, CharClass>();

function classify(cp: number): CharClass {
  if (cp < 128) {
    if (cp === 32 || cp === 9 || cp === 10 || cp === 13) return CharClass.Space;
    if (cp < 32 || cp === 127) return CharClass.Removed;
    return CharClass.Regular;
  }
  let c = classCache.get(cp);
  if (c === undefined) {
    const ch = String.fromCodePoint(cp);
    if (cp === 0xfffd || CONTROL_RE.test(ch)) c = CharClass.Removed;
    else if (SPACE_RE.test(ch)) c = CharClass.Space;
    else if (isCjkIdeograph(cp)) c = CharClass.Cjk;
    else c = CharClass.Regular;
    classCache.set(cp, c);
  }
  return c;
}

/** Lowercases and/or strips accents of one source character; cached per options. */
class CharNormalizer {
  private readonly cache = new Map<number, string>();
  constructor(private readonly options: NormalizationOptions) {}

  normalize(cp: number): string {
    if (cp < 128) {
      // ASCII: lowercase only; NFD leaves ASCII alone and there is no Mn.
      if (this.options.lowercase && cp >= 65 && cp <= 90) return String.fromCharCode(cp + 32);
      return String.fromCharCode(cp);
    }
    let n = this.cache.get(cp);
    if (n === undefined) {
      n = String.fromCodePoint(cp);
      if (this.options.lowercase) n = n.toLowerCase();
      if (this.options.stripAccents) n = n.normalize('NFD').replace(MARK_RE, '');
      this.cache.set(cp, n);
    }
    return n;
  }
}

const normalizers = new Map<string, CharNormalizer>();
function charNormalizer(options: NormalizationOptions): CharNormalizer {
  const key = `${options.lowercase ? 1 : 0}${options.stripAccents ? 1 : 0}`;
  let n = normalizers.get(key);
  if (!n) {
    n = new CharNormalizer({ lowercase: options.lowercase, stripAccents: options.stripAccents });
    normalizers.set(key, n);
  }
  return n;
}

/**
 * Runs the BasicTokenizer over `text`, calling `emit` for every word. Offsets are only
 * collected when `withOffsets` is set (the word counter does not need them).
 */
function scan(
  text: string,
  options: NormalizationOptions,
  withOffsets: boolean,
  emit: (word: string, starts: number[] | null, ends: number[] | null) => void,
): void {
  const norm = charNormalizer(options);
  let word = '';
  let starts: number[] | null = withOffsets ? [] : null;
  let ends: number[] | null = withOffsets ? [] : null;

  const endWord = () => {
    if (word.length === 0) return;
    emit(word, starts, ends);
    word = '';
    if (withOffsets) {
      starts = [];
      ends = [];
    }
  };
  const emitSingle = (s: string, from: number, to: number) => {
    if (withOffsets) {
      const st: number[] = [];
      const en: number[] = [];
      for (let k = 0; k < s.length; k++) {
        st.push(from);
        en.push(to);
      }
      emit(s, st, en);
    } else emit(s, null, null);
  };

  const n = text.length;
  let i = 0;
  while (i < n) {
    let cp = text.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const from = i;
    const to = i + width;
    i = to;

    const cls = classify(cp);
    if (cls === CharClass.Removed) continue;
    if (cls === CharClass.Space) {
      endWord();
      continue;
    }
    const normalized = cp === CAPITAL_SIGMA && options.lowercase && isFinalSigma(text, from, to) ? '\u03c2' : norm.normalize(cp);
    if (normalized.length === 0) {
      // A stripped accent: it belongs to the character before it, if that is in this word.
      if (withOffsets && word.length > 0 && ends![ends!.length - 1] === from) ends![ends!.length - 1] = to;
      continue;
    }
    if (cls === CharClass.Cjk) {
      endWord();
      emitSingle(normalized, from, to);
      continue;
    }
    if (normalized.length === 1 && cp < 128) {
      // Fast path for ASCII.
      if (isPunctuation(cp)) {
        endWord();
        emitSingle(normalized, from, to);
      } else {
        word += normalized;
        if (withOffsets) {
          starts!.push(from);
          ends!.push(to);
        }
      }
      continue;
    }
    // A normalized character may be several code points, each possibly punctuation.
    for (let k = 0; k < normalized.length; ) {
      const ncp = normalized.codePointAt(k)!;
      const w = ncp > 0xffff ? 2 : 1;
      const piece = normalized.slice(k, k + w);
      k += w;
      if (isPunctuation(ncp)) {
        endWord();
        emitSingle(piece, from, to);
      } else {
        word += piece;
        if (withOffsets) {
          for (let u = 0; u < w; u++) {
            starts!.push(from);
            ends!.push(to);
          }
        }
      }
    }
  }
  endWord();
}

/** The BasicTokenizer's words, with per-unit source offsets. */
export function preTokenize(text: string, options: NormalizationOptions): PreToken[] {
  const out: PreToken[] = [];
  scan(text, options, true, (word, starts, ends) => {
    out.push({ text: word, start: starts![0], end: ends![ends!.length - 1], starts: Int32Array.from(starts!), ends: Int32Array.from(ends!) });
  });
  return out;
}

/** The BasicTokenizer's words only (no offsets): faster, for counting. */
export function forEachWord(text: string, options: NormalizationOptions, visit: (word: string) => void): void {
  scan(text, options, false, (word) => visit(word));
}

/** Normalizes a string the way words are normalized (without splitting). */
export function normalizeText(text: string, options: NormalizationOptions): string {
  const norm = charNormalizer(options);
  let out = '';
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const from = i;
    i += cp > 0xffff ? 2 : 1;
    const cls = classify(cp);
    if (cls === CharClass.Removed) continue;
    if (cls === CharClass.Space) out += text.slice(from, i);
    else out += cp === CAPITAL_SIGMA && options.lowercase && isFinalSigma(text, from, i) ? '\u03c2' : norm.normalize(cp);
  }
  return out;
}
