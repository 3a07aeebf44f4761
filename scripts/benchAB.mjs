// Before/after benchmark in one run: `npm run bench`'s program from two builds, run in
// turn (A B, then B A, ...) so that the load of a shared machine falls on both alike, and
// the median of every figure in the bench's tables for each.
//
//   node scripts/benchAB.mjs --base OTHER/dist [--new THIS/dist] [--rounds 5] [--save DIR] -- <arguments for dist/bench.js>
//
// A is --base (e.g. the previous commit built into a temporary folder), B is --new (by
// default this tree's dist/; give a copy to keep building while it runs). --save keeps every
// run's whole output as DIR/A-1.txt, DIR/B-1.txt, ...
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? argv : argv.slice(0, sep);
const benchArgs = sep < 0 ? [] : argv.slice(sep + 1);
const opt = (name, fallback) => (own.includes(name) ? own[own.indexOf(name) + 1] : fallback);
const base = opt('--base');
const rounds = Number(opt('--rounds', '5'));
const save = opt('--save');
if (save) mkdirSync(save, { recursive: true });
if (!base || !(rounds > 0)) {
  console.error('usage: node scripts/benchAB.mjs --base OTHER/dist [--rounds N] -- <bench arguments>');
  process.exit(2);
}
const builds = { A: join(base, 'bench.js'), B: join(opt('--new', new URL('../dist', import.meta.url).pathname), 'bench.js') };

/** The bench output's tables: [{header, rows: [cells]}], in order (the same arguments give the same rows). */
function tables(out) {
  const found = [];
  let table;
  for (const line of out.split('\n')) {
    if (!line.startsWith('|')) { table = undefined; continue; }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (!table) found.push((table = { header: cells, rows: [] }));
    else if (!cells.every((c) => /^-+$/.test(c))) table.rows.push(cells);
  }
  return found;
}

const figure = (c) => (/^-?\d+(\.\d+)?%?$/.test(c) ? Number(c.replace('%', '')) : undefined);

const runs = { A: [], B: [] };
let machine = '';
for (let r = 0; r < rounds; r++) {
  for (const which of r % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
    const res = spawnSync(process.execPath, [builds[which], ...benchArgs], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (res.status !== 0) throw new Error(`${which} (${builds[which]}) failed: ${res.stderr}`);
    machine ||= res.stdout.split('\n').find((l) => l.startsWith('machine:')) ?? '';
    runs[which].push(tables(res.stdout));
    if (save) writeFileSync(join(save, `${which}-${r + 1}.txt`), res.stdout);
    console.error(`round ${r + 1}/${rounds}: ${which} done`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`# A/B: A = ${builds.A}, B = ${builds.B}`);
console.log(`${machine} (at the first run)`);
console.log(`bench arguments: ${benchArgs.join(' ') || '(none)'}; ${rounds} runs each, alternating; medians`);
for (const [t, { header, rows }] of runs.A[0].entries()) {
  console.log(`\n${header.join(' | ')}:\n| row | figure | A median | B median | B / A | A runs | B runs |\n|---|---|---|---|---|---|---|`);
  rows.forEach((first, r) => {
    const cellsOf = (which) => runs[which].map((tabs) => tabs[t]?.rows[r] ?? []);
    const all = [...cellsOf('A'), ...cellsOf('B')];
    // A row is named by its cells that no run changes (preset, batch, threads); the others are figures.
    const fixed = header.map((_, i) => all.every((cells) => cells[i] === first[i]));
    const label = first.filter((_, i) => fixed[i]).join(', ');
    header.forEach((col, i) => {
      if (fixed[i] || figure(first[i]) === undefined) return;
      const a = cellsOf('A').map((c) => figure(c[i] ?? '')).filter((v) => v !== undefined);
      const b = cellsOf('B').map((c) => figure(c[i] ?? '')).filter((v) => v !== undefined);
      const [ma, mb] = [median(a), median(b)];
      console.log(`| ${label} | ${col} | ${ma} | ${mb} | ${ma ? (mb / ma).toFixed(3) : '-'} | ${a.join(', ')} | ${b.join(', ')} |`);
    });
  });
}
