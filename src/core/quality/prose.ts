/**
 * Prose sentences for the error benchmark: plain text (Brown: one sentence a line) or
 * Markdown (documentation), as paragraphs of sentences. Markdown keeps only paragraphs
 * of running text: code blocks, headings, lists, tables, quotes and HTML are left out, and
 * so is any sentence holding inline code, links or markup (`, [, ], <, >, *, _, |, {, }),
 * whose "words" are not prose.
 */

/** Paragraphs, each a list of sentences (no line breaks inside a sentence). */
export type Paragraphs = string[][];

/** Text with one sentence a line and blank lines between paragraphs (the Brown layout). */
export function paragraphsOfLines(text: string): Paragraphs {
  return text
    .split(/\n[^\S\n]*\n/)
    .map((p) => p.split('\n').map((s) => s.trim()).filter((s) => s.length > 0))
    .filter((p) => p.length > 0);
}

const MARKUP = /[`[\]<>*_|{}#\\]/;
/** A sentence ends at . ! or ? followed by space and a capital letter or a quote. */
const SENTENCE_BREAK = /(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z])/;

/** Running-text paragraphs of a Markdown document, split into sentences. */
export function paragraphsOfMarkdown(markdown: string): Paragraphs {
  const out: Paragraphs = [];
  let inFence = false;
  let block: string[] = [];
  const flush = () => {
    if (block.length > 0) {
      const sentences = block
        .join(' ')
        .split(SENTENCE_BREAK)
        .map((s) => s.trim())
        .filter((s) => s.length > 0 && !MARKUP.test(s) && /[.!?]["')]?$/.test(s) && s.split(/\s+/).length >= 4);
      if (sentences.length > 0) out.push(sentences);
    }
    block = [];
  };
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      inFence = !inFence;
      flush();
      continue;
    }
    if (inFence) continue;
    if (line.length === 0 || /^(#|[-*+] |\d+\. |>|\||<|!\[|\[[^\]]*\]:)/.test(line) || raw.startsWith('    ')) {
      flush();
      continue;
    }
    block.push(line);
  }
  flush();
  return out;
}

/** The text of paragraphs: sentences on their own lines, a blank line between paragraphs. */
export function joinParagraphs(paragraphs: Paragraphs): string {
  return paragraphs.map((p) => p.join('\n')).join('\n\n') + '\n';
}
