/**
 * One end-to-end session as the e2e suites open it: the packaged extension in a fresh
 * code-server, a throwaway workspace with settings, and a Chromium page; and its teardown.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hostOutput, launchBrowser, newPage } from './browser';
import { CodeServer, type CodeServerOptions } from './codeServer';
import { repoRoot } from './training';
import { ensureVsix } from './vsix';
import { makeWorkspace } from './workspace';

export interface EditorSession {
  cs: CodeServer;
  browser: Browser;
  page: Page;
  consoleLines: string[];
  workspace: { dir: string; files: string[] };
}

export interface EditorSessionOptions {
  /** dist/ bundles the test needs, checked before anything starts. */
  bundles: string[];
  /** The workspace's .vscode/settings.json. */
  settings: Record<string, unknown>;
  /** Fixture chapters copied into the workspace. */
  chapters: number;
  /** Adds to the workspace before code-server starts. */
  prepare?(workspaceDir: string): void;
  /** code-server's options besides the VSIX, given the workspace folder. */
  codeServer?(workspaceDir: string): Omit<CodeServerOptions, 'vsix'>;
}

/** Starts a session; whatever started before a failure is stopped again. */
export async function openEditorSession(o: EditorSessionOptions): Promise<EditorSession> {
  for (const f of o.bundles) assert.ok(existsSync(join(repoRoot, 'dist', f)), `dist/${f} is missing: run \`npm run build\` first`);
  const vsix = ensureVsix();
  const workspace = makeWorkspace(o.settings, o.chapters);
  const started: Partial<EditorSession> = { workspace };
  try {
    o.prepare?.(workspace.dir);
    started.cs = await CodeServer.start({ ...o.codeServer?.(workspace.dir), vsix: [vsix] });
    started.browser = await launchBrowser();
    const { page, consoleLines } = await newPage(started.browser);
    return { ...(started as Required<Pick<EditorSession, 'cs' | 'browser' | 'workspace'>>), page, consoleLines };
  } catch (e) {
    await closeEditorSession(started);
    throw e;
  }
}

/** Prints the extension host's output with ELECTRA_TEST_VERBOSE=1, then stops everything; ELECTRA_TEST_KEEP=1 keeps the workspace. */
export async function closeEditorSession(s: Partial<EditorSession> | undefined): Promise<void> {
  if (!s) return;
  if (s.consoleLines && process.env.ELECTRA_TEST_VERBOSE === '1') console.log(hostOutput(s.consoleLines).map((l) => `# ${l}`).join('\n'));
  await s.browser?.close();
  await s.cs?.stop();
  if (s.workspace && process.env.ELECTRA_TEST_KEEP !== '1') rmSync(s.workspace.dir, { recursive: true, force: true });
}
