/**
 * Real checkpoints for tests: trains the micro preset on the small Markdown corpus committed
 * in test/fixtures/rust-book (chapters of "The Rust Programming Language", MIT) with the
 * engine's CLI (`node dist/cli.js pretrain <folder> --preset micro --steps N --out <run>`),
 * in a child process. Build first (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const fixtureCorpus = join(repoRoot, 'test', 'fixtures', 'rust-book');
/** ELECTRA_TEST_CLI overrides the CLI (e.g. to try another build); dist/cli.js by default. */
export const cliPath = process.env.ELECTRA_TEST_CLI ?? join(repoRoot, 'dist', 'cli.js');

export interface TrainOptions {
  corpus: string;
  out: string;
  steps: number;
  preset?: string;
  resume?: boolean;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** Runs one `pretrain`; resolves with its output, rejects with it (and the exit code) on failure. */
export async function train(o: TrainOptions): Promise<string> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  const args = [cliPath, 'pretrain', o.corpus, '--preset', o.preset ?? 'micro', '--steps', String(o.steps), '--out', o.out];
  if (o.resume) args.push('--resume');
  args.push(...(o.extraArgs ?? []));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`pretrain exited with ${code ?? signal}: node ${args.join(' ')}\n${output.slice(-4000)}`));
    });
  });
}

/** Copies the fixture corpus (or `count` of its chapters) into `dir`. */
export function copyFixtureCorpus(dir: string, count = Infinity): string[] {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(fixtureCorpus).filter((f) => f.endsWith('.md')).sort().slice(0, count);
  for (const f of files) cpSync(join(fixtureCorpus, f), join(dir, f));
  return files;
}
