/**
 * reStructuredText (Sphinx sources, as Python's documentation ships them) to plain prose
 * for pre-training: code is dropped (literal blocks after "::", code and doctest
 * directives, ">>>" sessions), so are headings, tables, comments and field lists; a
 * directive's line goes but its indented body (a function's description) stays, dedented;
 * inline markup keeps its text (:func:`~os.path.join` -> join, ``x`` -> x, `text <url>`_ -> text).
 */
const CODE_DIRECTIVE = /^\.\.\s+(code-block|code|sourcecode|doctest|testcode|testoutput|testsetup|productionlist|literalinclude|highlight|raw|toctree|image|figure|csv-table|list-table|table|only|index|include|module|currentmodule|sectionauthor|moduleauthor|versionadded|versionchanged|deprecated|seealso|audit-event|opcode|cmdoption|option|envvar|describe|impl-detail)::/;
const HEADING_UNDERLINE = /^([=\-~^"'`#*+.:_])\1{2,}\s*$/;

export function rstToText(rst: string): string {
  const lines = rst.split(/\r?\n/);
  const out: string[] = [];
  /** Lines indented more than this belong to a block being skipped. */
  let skipIndent = -1;
  const indentOf = (l: string) => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const text = raw.trim();
    if (skipIndent >= 0) {
      if (text.length === 0 || indentOf(raw) > skipIndent) continue;
      skipIndent = -1;
    }
    if (text.length === 0) {
      if (out.length > 0 && out[out.length - 1] !== '') out.push('');
      continue;
    }
    // A heading: its text line is followed by an underline (and maybe preceded by an overline).
    if (HEADING_UNDERLINE.test(text)) continue;
    if (i + 1 < lines.length && HEADING_UNDERLINE.test(lines[i + 1].trim()) && lines[i + 1].trim().length >= text.length) continue;
    if (/^\.\./.test(text)) {
      // Code-like or bookkeeping directives and comments go with their bodies; others keep the body.
      if (CODE_DIRECTIVE.test(text) || !/^\.\.\s+[\w:-]+::/.test(text)) skipIndent = indentOf(raw);
      continue;
    }
    if (/^(>>>|\.\.\.\s|\+[-=]|\||:[\w\s-]+:(\s|$))/.test(text)) continue;
    let line = text;
    if (/::$/.test(line)) {
      skipIndent = indentOf(raw); // a literal block follows
      line = line.replace(/\s*::$/, line.endsWith(' ::') ? '' : ':');
      if (line.length === 0) continue;
    }
    out.push(inline(line));
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

function inline(s: string): string {
  return s
    .replace(/:[\w:+-]+:`~?([^`<]*?)\s*<[^>`]*>`/g, '$1') // :role:`text <target>`
    .replace(/:[\w:+-]+:`~([^`]*)`/g, (_, t: string) => t.split('.').pop()!) // :role:`~a.b.c` -> c
    .replace(/:[\w:+-]+:`!?([^`]*)`/g, '$1')
    .replace(/``([^`]*)``/g, '$1')
    .replace(/`([^`<]*?)\s*<[^>`]*>`__?/g, '$1')
    .replace(/`([^`]*)`__?/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\*([^*\s][^*]*)\*/g, '$1')
    .replace(/\|([\w-]+)\|/g, '$1')
    .replace(/\\(.)/g, '$1');
}
