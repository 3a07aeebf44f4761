/** The base-corpus gatherer as a program: see baseCorpus.ts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_CORPUS_SOURCES, gather, sourcesMarkdown, type Gathered } from './baseCorpus';

function main(argv: string[]): void {
  const args = argv.slice(2);
  if (args.includes('--list')) {
    for (const s of BASE_CORPUS_SOURCES) console.log(`${s.name.padEnd(16)} ${s.licence.padEnd(44)} ${s.title}`);
    return;
  }
  const out = args.find((a) => !a.startsWith('--'));
  if (!out) {
    console.error('usage: node dist/baseCorpus.js <out-folder> [--sources brown,python-docs,...] [--list]');
    process.exit(1);
  }
  const only = args.includes('--sources') ? args[args.indexOf('--sources') + 1].split(',') : undefined;
  const unknown = only?.filter((n) => !BASE_CORPUS_SOURCES.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown source(s): ${unknown.join(', ')} (--list shows them)`);
    process.exit(1);
  }
  mkdirSync(out, { recursive: true });
  const results: Gathered[] = [];
  for (const s of BASE_CORPUS_SOURCES.filter((x) => !only || only.includes(x.name))) {
    const r = gather(s, out);
    results.push(r);
    console.log(r.missing ? `${s.name}: skipped, ${r.missing}` : `${s.name}: ${r.files} files, ${r.paragraphs} paragraphs, ${(r.bytes / 1e6).toFixed(1)} MB`);
  }
  writeFileSync(join(out, 'SOURCES.md'), sourcesMarkdown(results));
  const total = results.reduce((s, r) => s + r.bytes, 0);
  console.log(`total ${(total / 1e6).toFixed(1)} MB in ${out}`);
}

main(process.argv);
