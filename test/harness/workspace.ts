/** A throwaway workspace for the VS Code tests: a few Markdown chapters and .vscode/settings.json. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyFixtureCorpus } from './training';

export function makeWorkspace(settings: Record<string, unknown>, chapters = Infinity): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'electra-workspace-'));
  const files = copyFixtureCorpus(dir, chapters);
  mkdirSync(join(dir, '.vscode'));
  writeFileSync(join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return { dir, files };
}
