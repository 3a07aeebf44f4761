/**
 * End to end, as a person: code-server with the PACKAGED extension (electra-studio.vsix)
 * installed, driven by Chromium. Open a workspace of Markdown chapters, run "ELECTRA:
 * Pretrain on Workspace" from the command palette (preset micro, a few steps, from the
 * workspace's .vscode/settings.json), watch the dashboard charts fill, open a file, see the
 * diagnostics (squiggles and the Problems panel), hover a token and read its score, apply a
 * quick fix, open the token-confidence view. Screenshots of every step go to
 * test-results/e2e/. The extension host's event-loop delay during training is measured with
 * the command electraStudio.debug.eventLoopDelay (bound to keys in the user keybindings)
 * and printed.
 *
 * The VSIX: $ELECTRA_TEST_VSIX, else ./electra-studio.vsix when newer than dist/, else built
 * here with `npm run package`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { hostOutput, runCommand, Screenshots, waitForFrameWith, quickOpen, waitForNotification, waitForWorkbench } from '../harness/browser';
import type { CodeServer } from '../harness/codeServer';
import { closeEditorSession, openEditorSession, type EditorSession } from '../harness/editorSession';
import { repoRoot } from '../harness/training';

/** src/extension/diagnosticsProbe.ts's command (that module imports 'vscode', so not imported here). */
const EVENT_LOOP_DELAY_COMMAND = 'electraStudio.debug.eventLoopDelay';
const STEPS = 40;
const RUN_NAME = 'e2e';
const PROBE_RESET_KEY = 'Control+Alt+Shift+F9';
const PROBE_REPORT_KEY = 'Control+Alt+Shift+F10';
const TITLES = {
  pretrain: 'ELECTRA: Pretrain on Workspace',
  dashboard: 'ELECTRA: Open Training Dashboard',
  tokens: 'ELECTRA: Show Token Confidence',
};
const screenshotDir = join(repoRoot, 'test-results', 'e2e');
rmSync(screenshotDir, { recursive: true, force: true });
const shots = new Screenshots(screenshotDir);

let session: EditorSession | undefined;
let cs: CodeServer;
let page: Page;
let consoleLines: string[] = [];
let workspace: { dir: string; files: string[] };

/** Step of <run>/checkpoints/latest.json, or 0. */
function latestStep(runDir: string): number {
  try {
    return (JSON.parse(readFileSync(join(runDir, 'checkpoints', 'latest.json'), 'utf8')) as { step: number }).step;
  } catch {
    return 0;
  }
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await page.waitForTimeout(300);
  }
}

before(async () => {
  session = await openEditorSession({
    bundles: ['extension.js', 'server.js', 'trainingWorker.js'],
    settings: {
      'electraStudio.preset': 'micro',
      'electraStudio.startFrom': '', // from scratch: the micro preset, not the shipped base model
      'electraStudio.steps': STEPS,
      'electraStudio.confirmBeforeTraining': false,
      // A micro model after a few steps scores every token alike (about 0.2): flag them all.
      'electraStudio.annotation.threshold': 0.1,
      // Every flagged token gets its diagnostic (the squiggles the steps below pick), not the
      // 500 most likely replaced that the default cap keeps.
      'electraStudio.annotation.maxDiagnostics': 100_000,
    },
    chapters: 6,
    codeServer: () => ({
      keybindings: [
        { key: 'ctrl+alt+shift+f9', command: EVENT_LOOP_DELAY_COMMAND, args: { reset: true, silent: true } },
        { key: 'ctrl+alt+shift+f10', command: EVENT_LOOP_DELAY_COMMAND },
      ],
    }),
  });
  ({ cs, page, consoleLines, workspace } = session);
});

after(() => closeEditorSession(session));

test('pretrain from the palette, read the scores, fix a token', { timeout: 280_000 }, async () => {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  /** One step of the story; a failure names the step. */
  const step = async (name: string, body: () => Promise<void>) => {
    try {
      await body();
      console.log(`# ✔ ${name} (${elapsed()})`);
    } catch (e) {
      throw new Error(`step "${name}" failed after ${elapsed()}: ${(e as Error).message}`);
    }
  };
  const runDir = join(workspace!.dir, '.electra', 'runs', RUN_NAME);
  const onFailure = async (e: unknown) => {
    await shots.take(page, 'failure').catch(() => undefined);
    const tail = hostOutput(consoleLines).slice(-40).join('\n');
    throw new Error(`${(e as Error).message}\n--- workbench console (last 40 lines):\n${tail}\n--- code-server log tail:\n${cs!.log.slice(-2000)}`);
  };

  try {
    await step('the workspace opens with the extension installed', async () => {
      await page.goto(cs!.workbenchUrl(workspace!.dir));
      await waitForWorkbench(page);
      await shots.take(page, 'workspace');
    });

    await step(`"${TITLES.pretrain}" from the palette trains micro for ${STEPS} steps`, async () => {
      await runCommand(page, TITLES.pretrain);
      // The run-name box: a person types a name and presses Enter.
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(RUN_NAME);
      await shots.take(page, 'run-name');
      await page.keyboard.press('Enter');
      await until('training writes its first metrics', 60_000, () => existsSync(join(runDir, 'metrics.jsonl')) || undefined);
      // Measure the extension host's responsiveness from here to the end of training.
      await page.keyboard.press(PROBE_RESET_KEY);
      console.log(`# training started after ${elapsed()}`);
    });

    await step('the dashboard charts fill while it trains', async () => {
      await runCommand(page, TITLES.dashboard);
      const frame = await waitForFrameWith(page, '#smoothing', 30_000);
      await until('the dashboard shows metrics', 60_000, async () => {
        const status = (await frame.locator('.status').first().textContent()) ?? '';
        const canvases = await frame.locator('canvas').count();
        return canvases > 0 && !/Waiting for the first metrics|No runs yet|Pick a run/.test(status) ? true : undefined;
      });
      // Drawn pixels of the first chart: more than its empty axes once lines are drawn.
      const drawn = await frame.locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
      assert.ok(drawn > 500, `the first chart has drawn pixels (${drawn})`);
      await shots.take(page, 'dashboard-training');
      await until(`checkpoint of step ${STEPS}`, 150_000, () => (latestStep(runDir) === STEPS ? true : undefined));
      await page.waitForTimeout(1500); // the last metrics reach the chart
      await shots.take(page, 'dashboard-done');
      console.log(`# training reached step ${STEPS} after ${elapsed()}`);
    });

    await step('the extension host stayed responsive during training', async () => {
      await page.keyboard.press(PROBE_REPORT_KEY);
      const text = await waitForNotification(page, /event-loop delay/, 15_000);
      const num = (k: string) => Number(new RegExp(`${k} ([\\d.]+) ms`).exec(text)?.[1]);
      console.log(`# ${text}`);
      assert.ok(Number.isFinite(num('p50')) && Number.isFinite(num('p99')), text);
      await shots.take(page, 'event-loop-delay');
    });

    const file = workspace!.files[0];
    await step(`opening ${file} shows diagnostics`, async () => {
      await quickOpen(page, file);
      await page.locator('.monaco-editor .squiggly-info').first().waitFor({ state: 'visible', timeout: 60_000 });
      await shots.take(page, 'squiggles');
      await page.keyboard.press('Control+Shift+M');
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'looks replaced' }).first();
      await row.waitFor({ state: 'visible', timeout: 20_000 });
      await shots.take(page, 'problems');
      await page.keyboard.press('Control+Shift+M'); // hide the panel again
    });

    await step('hovering a token shows its score', async () => {
      // A squiggle on the third line or below, away from the tab bar.
      const squiggles = page.locator('.monaco-editor .view-overlays .squiggly-info, .monaco-editor .squiggly-info');
      const count = await squiggles.count();
      assert.ok(count > 5, `${count} squiggles`);
      const box = (await squiggles.nth(Math.min(5, count - 1)).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = page.locator('.monaco-hover', { hasText: 'replaced with probability' }).first();
      await hover.waitFor({ state: 'visible', timeout: 20_000 });
      const text = await hover.innerText();
      const p = /replaced with probability\s+([\d.]+)/.exec(text)?.[1];
      assert.ok(p !== undefined && Number(p) >= 0 && Number(p) <= 1, text);
      assert.match(text, /Generator's alternative/);
      console.log(`# hover: p(replaced) = ${p}`);
      await shots.take(page, 'hover');
      await page.mouse.move(5, 5);
      await page.keyboard.press('Escape');
    });

    await step('a quick fix replaces the token', async () => {
      const squiggle = page.locator('.monaco-editor .squiggly-info').nth(6);
      const box = (await squiggle.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const before = await page.locator('.monaco-editor .view-lines').first().innerText();
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Replace with' }).first();
      await fix.waitFor({ state: 'visible', timeout: 20_000 });
      await shots.take(page, 'quick-fix-menu');
      const title = await fix.innerText();
      assert.match(title, /Replace with '.+'/);
      // The preferred fix comes first and has the focus: Enter applies it, as from the keyboard.
      const focused = page.locator('.action-widget .monaco-list-row.focused').first();
      assert.match(await focused.innerText(), /Replace with '.+'/, 'the first quick fix is a replacement');
      const applied = (await focused.innerText()).split('\n')[0];
      await page.keyboard.press('Enter');
      await until('the editor text changes', 10_000, async () => {
        const now = await page.locator('.monaco-editor .view-lines').first().innerText();
        return now !== before ? true : undefined;
      });
      console.log(`# applied quick fix: ${applied}`);
      await shots.take(page, 'quick-fix-applied');
    });

    await step('the token-confidence view shows the scored text', async () => {
      await runCommand(page, TITLES.tokens);
      const frame = await waitForFrameWith(page, '#text', 30_000);
      await until('tokens in the view', 30_000, async () => ((await frame.locator('#text span').count()) > 20 ? true : undefined));
      await shots.take(page, 'token-confidence');
    });
  } catch (e) {
    await onFailure(e);
  }
  console.log(`# end to end in ${elapsed()}; screenshots in ${shots.dir}`);
});
