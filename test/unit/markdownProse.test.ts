/**
 * Which parts of a Markdown document are prose (src/core/score/markdownProse.ts): each kind of
 * code and markup on a hand-made document, then every chapter of the Rust book against an
 * independent CommonMark parser (mdast-util-from-markdown, micromark): its code blocks and
 * code spans are never prose, and the words of its paragraphs are.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeSpans, fencedBlocks, isMarkdownFile, MarkdownProse } from '../../src/core/score/markdownProse';
import { readText, rustBookFiles } from './engineFixtures';

/** Whether the first occurrence of `needle` (after `from`) is prose. */
function proseAt(prose: MarkdownProse, text: string, needle: string, from = 0): boolean {
  const at = text.indexOf(needle, from);
  assert.ok(at >= 0, `'${needle}' is in the text`);
  return prose.isProse(at, at + needle.length);
}

test('fenced code blocks follow CommonMark: fence characters, lengths, info strings, and a fence never closed', () => {
  const text = [
    'Prose before.',
    '```rust',
    'let alpha = 1;',
    '~~~',
    'still code after a tilde line',
    '```',
    'Prose between.',
    '',
    '~~~~ text',
    'beta',
    '~~~',
    'gamma inside: three tildes do not close four',
    '~~~~~',
    'Prose after.',
    '```a``` delta is a code span, not a fence',
    '  ```',
    'epsilon in an indented fence',
    '  ```',
    '> ```',
    '> zeta in a quoted fence',
    '> ```',
    'Prose again.',
    '````',
    'eta never closed',
  ].join('\n');
  const prose = new MarkdownProse(text);
  for (const word of ['Prose before', 'Prose between', 'Prose after', 'delta', 'Prose again']) assert.ok(proseAt(prose, text, word), `'${word}' is prose`);
  for (const word of ['```rust', 'alpha', 'still code', 'beta', 'gamma', '~~~~~', 'epsilon', 'zeta', 'eta never']) assert.ok(!proseAt(prose, text, word), `'${word}' is code`);
  assert.equal(fencedBlocks(text).length, 5);
  assert.equal(fencedBlocks(text).at(-1)!.end, text.length, 'a fence never closed runs to the end');
});

test('code spans: runs of equal length, an unmatched run is literal, an escaped backtick opens nothing', () => {
  assert.deepEqual(codeSpans('a `b` c'), [{ start: 2, end: 5 }]);
  assert.deepEqual(codeSpans('a ``b ` c`` d'), [{ start: 2, end: 11 }], 'a double run holds a single backtick');
  assert.deepEqual(codeSpans('it`s a lone backtick'), [], 'nothing closes it: literal');
  // As micromark reads it: the escaped backtick is literal, the next one opens, and the last is left alone.
  assert.deepEqual(codeSpans('\\`not code` but `code`'), [{ start: 10, end: 17 }], 'the escaped backtick opens nothing');
  assert.deepEqual(codeSpans('``a` b`` and `c`'), [{ start: 0, end: 8 }, { start: 13, end: 16 }]);
});

test('HTML, link destinations, reference definitions, autolinks and bare URLs are not prose; the words around them are', () => {
  const text = [
    'Read the <span class="filename">Filename: src/main.rs</span> listing and <!-- a note',
    'over two lines --> then continue.',
    '',
    'See [the reference](https://doc.rust-lang.org/reference/ "Rust reference") or [the book][book] or <https://example.com/x> or https://crates.io/crates/rand.',
    '',
    '[book]: https://doc.rust-lang.org/book/',
    '',
    'Write `let x = 5;` and then `x` is bound; a `<span>` in code stays code.',
  ].join('\n');
  const prose = new MarkdownProse(text);
  for (const word of ['Read the', 'listing and', 'then continue', 'See', 'the reference', 'the book', 'Write', 'and then', 'is bound', 'stays code']) {
    assert.ok(proseAt(prose, text, word), `'${word}' is prose`);
  }
  for (const word of ['<span class', 'filename', 'a note', 'over two lines', 'doc.rust-lang.org/reference', 'Rust reference', 'example.com', 'crates.io', 'https://doc.rust-lang.org/book/', 'let x', '`x`', '`<span>`']) {
    assert.ok(!proseAt(prose, text, word), `'${word}' is markup`);
  }
  assert.ok(proseAt(prose, text, 'Filename: src/main.rs'), 'text between tags is prose');
});

test('paragraphs end at blank lines that hold spaces or tabs', () => {
  const text = 'one `code\n  \nstill` two\n\nthree `x` four';
  const prose = new MarkdownProse(text);
  assert.ok(proseAt(prose, text, 'code'), 'the blank line ends the paragraph: the backtick finds no partner before it');
  assert.ok(proseAt(prose, text, 'still'));
  assert.ok(!proseAt(prose, text, '`x`'));
  assert.ok(proseAt(prose, text, 'four'));
  assert.ok(proseAt(prose, text, 'three'));
});

test('crafted text cannot make the scan backtrack: a megabyte of each trap is read in one pass', () => {
  const traps = {
    'spaces before no fence': ' '.repeat(1_000_000) + 'x',
    'quote markers': '> '.repeat(500_000),
    'an e-mail autolink never closed': '<a@' + 'b.'.repeat(500_000),
    'a link destination never closed': '[a](' + ' '.repeat(1_000_000),
    'HTML comments never closed': '<!-- '.repeat(200_000),
    'backtick runs of every length, none closed': Array.from({ length: 1400 }, (_, n) => '`'.repeat(n + 1) + 'a').join(''),
    'an HTML tag never closed': '<a ' + 'b'.repeat(1_000_000),
  };
  for (const [name, text] of Object.entries(traps)) {
    const started = performance.now();
    const prose = new MarkdownProse(text);
    for (let at = 0; at < text.length; at += 50_000) prose.isProse(at, at + 1);
    const ms = performance.now() - started;
    // A quadratic pattern takes minutes here; a linear scan takes milliseconds.
    assert.ok(ms < 5_000, `${name}: ${ms.toFixed(0)} ms`);
  }
});

test('Markdown files by name', () => {
  assert.ok(isMarkdownFile('docs/README.md') && isMarkdownFile('a.MARKDOWN'));
  assert.ok(!isMarkdownFile('notes.txt') && !isMarkdownFile('md'));
});

interface MdNode {
  type: string;
  position?: { start: { offset?: number }; end: { offset?: number } };
  children?: MdNode[];
}

test('on every chapter of the Rust book, the code of a CommonMark parser is never prose and the words of its paragraphs are', async () => {
  const { fromMarkdown } = (await import('mdast-util-from-markdown')) as { fromMarkdown: (text: string) => MdNode };
  let codeChecked = 0;
  let wordsChecked = 0;
  const wordsMissed: string[] = [];
  for (const file of rustBookFiles()) {
    const text = readText(file);
    const prose = new MarkdownProse(text);
    const visit = (node: MdNode, inParagraph: boolean, inLink: boolean): void => {
      const start = node.position?.start.offset;
      const end = node.position?.end.offset;
      if (start !== undefined && end !== undefined) {
        if (node.type === 'code' || node.type === 'inlineCode') {
          // Every character of a fenced block or code span: check its first, middle and last.
          for (const at of [start, (start + end) >> 1, end - 1]) {
            codeChecked++;
            assert.ok(!prose.isProse(at, at + 1), `${file}: ${node.type} at ${at} is not prose: ${JSON.stringify(text.slice(start, Math.min(end, start + 60)))}`);
          }
        } else if (node.type === 'text' && inParagraph && !inLink) {
          for (const m of text.slice(start, end).matchAll(/\p{L}{2,}/gu)) {
            const at = start + m.index!;
            wordsChecked++;
            if (!prose.isProse(at, at + m[0].length)) wordsMissed.push(`${file}: ${m[0]} in ${JSON.stringify(text.slice(start, end).slice(0, 80))}`);
          }
        }
      }
      for (const child of node.children ?? []) visit(child, inParagraph || node.type === 'paragraph', inLink || node.type === 'link');
    };
    visit(fromMarkdown(text), false, false);
  }
  console.log(`# ${codeChecked} places in code checked; ${wordsChecked} words of paragraphs, ${wordsMissed.length} taken for markup`);
  assert.ok(codeChecked > 10_000, 'the book has code to check');
  assert.ok(wordsChecked > 100_000, 'and prose');
  // Bare URLs in text nodes are the one kind of markup the parser leaves in paragraphs' text.
  const notUrls = wordsMissed.filter((w) => !/https?:|www\./.test(w));
  assert.deepEqual(notUrls.slice(0, 10), [], 'words of paragraphs taken for markup');
});
