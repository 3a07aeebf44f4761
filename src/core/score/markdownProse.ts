/**
 * Where a Markdown document is prose. The models read prose: the base corpus drops code
 * blocks (src/tools/baseCorpus.ts) and the error benchmark plants its errors in running text
 * (src/core/quality/prose.ts). Shown a fence, a line of code or a URL, a model finds it
 * unlike prose and flags it, which tells a writer nothing. So code and markup are scored
 * like the rest (they are the context of the prose around them) but never flagged:
 *
 *   fenced code blocks      ``` or ~~~ lines and all between them (CommonMark's rules for
 *                           opening and closing; a fence never closed runs to the end)
 *   code spans              `...`, backtick runs of equal length (CommonMark)
 *   HTML                    tags and comments
 *   links                   the destination of [text](destination "title") from its "](", reference
 *                           definitions ([label]: destination), autolinks (<https://...>)
 *                           and bare URLs (GitHub's autolink literals)
 *
 * Not recognised: indented code blocks (four spaces also indent list items' paragraphs, which
 * are prose), front matter and math. Their words are flagged as before.
 *
 * Built for the language server's hot paths, where a CommonMark parser over the whole document
 * on every publish would be too slow (docs/benchmarks.md, "Markdown's code and markup"): the
 * fence index is one pass of a regular expression over the text, and everything else is worked
 * out only for the paragraphs asked about, once each.
 */

/** VS Code's language id of Markdown documents. */
export const MARKDOWN_LANGUAGE_ID = 'markdown';

/** Whether a file is Markdown by its name (for the CLI, which has no language ids). */
export function isMarkdownFile(path: string): boolean {
  return /\.(md|markdown|mdown|mkd)$/i.test(path);
}

export interface TextSpan {
  start: number;
  /** Exclusive. */
  end: number;
}

/*
 * The patterns below are written so that no text can make them backtrack for long (a document
 * may be crafted): no two neighbouring parts can match the same characters, so each attempt
 * is linear in what it reads.
 */

/** A line that may open or close a fence: its indentation or block-quote markers, then three or more ` or ~. */
const FENCE_LINE = /^[ \t]*(?:>[ \t]*)*(`{3,}|~{3,})([^\n]*)$/gm;

/** Markup inside a paragraph, outside code spans (which are found first, by codeSpans) and HTML comments. */
const INLINE_MARKUP: readonly RegExp[] = [
  /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>/g, // an HTML tag, with its attributes
  /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/g, // an autolink
  /<[^\s<>@]+@[^\s<>@.]+(?:\.[^\s<>@.]+)+>/g, // an e-mail autolink
  /\]\((?:<[^<>\n]*>|(?:[^\s()]|\([^\s()]*\))*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\)/g, // a link's (destination "title")
  /^[ \t]{0,3}\[[^\]\n]+\]:[^\n]*/gm, // a reference definition: the whole line
  /\b(?:https?|ftp):\/\/[^\s<>]*[^\s<>.,:;"'!?)\]]/g, // a bare URL
  /\bwww\.[^\s<>]*[^\s<>.,:;"'!?)\]]/g,
];

export class MarkdownProse {
  /** Fenced code blocks, fence lines included, in document order. */
  readonly fences: readonly TextSpan[];
  /** The paragraphs asked about so far, in document order, each with its markup spans (disjoint, in order). */
  private readonly paragraphs: Array<TextSpan & { markup: TextSpan[] }> = [];

  constructor(private readonly text: string) {
    this.fences = fencedBlocks(text);
  }

  /** Whether [start, end) is prose: it overlaps no code block, code span, HTML or link destination. */
  isProse(start: number, end: number): boolean {
    if (overlapsAny(this.fences, start, end)) return false;
    return !overlapsAny(this.paragraphAround(start).markup, start, end);
  }

  /** The paragraph holding `offset` (outside fences): between blank lines, and fences; each worked out once. */
  private paragraphAround(offset: number): TextSpan & { markup: TextSpan[] } {
    const i = firstEndingAfter(this.paragraphs, offset);
    if (i < this.paragraphs.length && this.paragraphs[i].start <= offset) return this.paragraphs[i];
    const bounds = { start: paragraphStart(this.text, offset), end: paragraphEnd(this.text, offset) };
    const f = firstEndingAfter(this.fences, offset);
    if (f > 0) bounds.start = Math.max(bounds.start, this.fences[f - 1].end);
    if (f < this.fences.length) bounds.end = Math.min(bounds.end, this.fences[f].start);
    const paragraph = { ...bounds, markup: inlineMarkup(this.text, bounds) };
    this.paragraphs.splice(i, 0, paragraph);
    return paragraph;
  }
}

/** The fenced code blocks of `text`, each from its opening line's start to its closing line's end. */
export function fencedBlocks(text: string): TextSpan[] {
  const out: TextSpan[] = [];
  let open: { start: number; char: string; length: number } | undefined;
  FENCE_LINE.lastIndex = 0;
  for (let m = FENCE_LINE.exec(text); m; m = FENCE_LINE.exec(text)) {
    const [line, run, rest] = m;
    if (!open) {
      // A backtick fence's info string may not hold a backtick ("```a``` b" is a code span).
      if (run[0] === '`' && rest.includes('`')) continue;
      open = { start: m.index, char: run[0], length: run.length };
    } else if (run[0] === open.char && run.length >= open.length && rest.trim() === '') {
      out.push({ start: open.start, end: m.index + line.length });
      open = undefined;
    }
  }
  if (open) out.push({ start: open.start, end: text.length });
  return out;
}

/** Code spans, HTML, link destinations and URLs of one paragraph: disjoint spans in document order. */
function inlineMarkup(text: string, paragraph: TextSpan): TextSpan[] {
  const body = text.slice(paragraph.start, paragraph.end);
  const code = codeSpans(body);
  const spans = [...code, ...htmlComments(body).filter((c) => !overlapsAny(code, c.start, c.start + 1))];
  for (const pattern of INLINE_MARKUP) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
      if (!overlapsAny(code, m.index, m.index + 1)) spans.push({ start: m.index, end: m.index + m[0].length });
      if (m[0].length === 0) pattern.lastIndex++;
    }
  }
  return union(spans).map((s) => ({ start: s.start + paragraph.start, end: s.end + paragraph.start }));
}

/** HTML comments, <!-- to -->: found with indexOf, so that many openings never closed cost one pass. */
function htmlComments(body: string): TextSpan[] {
  const out: TextSpan[] = [];
  for (let open = body.indexOf('<!--'); open >= 0; ) {
    const close = body.indexOf('-->', open + 4);
    if (close < 0) break; // nothing later closes either
    out.push({ start: open, end: close + 3 });
    open = body.indexOf('<!--', close + 3);
  }
  return out;
}

/** The union of `spans`, as disjoint spans in order. */
function union(spans: TextSpan[]): TextSpan[] {
  const out: TextSpan[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/**
 * CommonMark's code spans: a run of n backticks (not escaped by a backslash) opens a span
 * that the next run of exactly n backticks closes; a run that nothing closes is literal.
 * Inside a span a backslash escapes nothing, so closing runs are looked up among all runs,
 * by length, with one pointer per length that only moves forward: linear in the text.
 */
export function codeSpans(body: string): TextSpan[] {
  const runsByLength = new Map<number, number[]>();
  for (const m of body.matchAll(/`+/g)) {
    const starts = runsByLength.get(m[0].length) ?? [];
    starts.push(m.index!);
    runsByLength.set(m[0].length, starts);
  }
  const nextOfLength = new Map<number, number>();
  const out: TextSpan[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\') {
      i++; // an escaped character, perhaps a backtick: literal
      continue;
    }
    if (body[i] !== '`') continue;
    let j = i;
    while (j < body.length && body[j] === '`') j++;
    const length = j - i;
    const starts = runsByLength.get(length) ?? [];
    let k = nextOfLength.get(length) ?? 0;
    while (k < starts.length && starts[k] < j) k++;
    nextOfLength.set(length, k);
    if (k < starts.length) {
      out.push({ start: i, end: starts[k] + length });
      i = starts[k] + length - 1;
    } else {
      i = j - 1; // nothing closes it: literal backticks
    }
  }
  return out;
}

/** Whether any of `spans` (disjoint, in order) overlaps [start, end); an empty range asks about the character at start. */
function overlapsAny(spans: readonly TextSpan[], start: number, end: number): boolean {
  const i = firstEndingAfter(spans, start);
  return i < spans.length && spans[i].start < Math.max(end, start + 1);
}

/** The index of the first of `spans` (disjoint, in order) that ends after `offset`. */
function firstEndingAfter(spans: readonly TextSpan[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A line holding nothing but spaces or tabs. */
const isBlank = (line: string) => /^[^\S\n]*$/.test(line);

/** The start of the first line of the paragraph holding `offset`: just after a blank line, or the text's start. */
function paragraphStart(text: string, offset: number): number {
  let lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  while (lineStart > 0) {
    const previous = text.lastIndexOf('\n', lineStart - 2) + 1;
    if (isBlank(text.slice(previous, lineStart - 1))) break;
    lineStart = previous;
  }
  return lineStart;
}

/** The end of the paragraph holding `offset`: the line break before a blank line, or the text's end. */
function paragraphEnd(text: string, offset: number): number {
  let lineEnd = text.indexOf('\n', offset);
  while (lineEnd >= 0) {
    const next = text.indexOf('\n', lineEnd + 1);
    if (isBlank(text.slice(lineEnd + 1, next < 0 ? text.length : next))) break;
    lineEnd = next;
  }
  return lineEnd < 0 ? text.length : lineEnd;
}
