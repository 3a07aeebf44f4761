/**
 * Chromium for tests: Debian's /usr/bin/chromium driven by playwright-core (never
 * `npx playwright install`), plus the few things a person does in the workbench: wait for
 * it, run a command from the palette, read notifications, take screenshots.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

/** CHROMIUM_PATH overrides the browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
}

/** A page of `browser` that records its console (the extension host's output is forwarded there). */
export async function newPage(browser: Browser, viewport = { width: 1400, height: 900 }): Promise<{ page: Page; consoleLines: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  return { page, consoleLines };
}

/**
 * The page's console lines worth printing: the workbench's log prefix ("%c INFO color: #33f")
 * removed, and the noise of an offline workbench (gallery lookups, missing resources) dropped.
 */
export function hostOutput(lines: readonly string[]): string[] {
  return lines
    .filter((l) => !/Failed to load resource|open-vsx\.org|ENOTFOUND|same-origin iframe|allow-scripts and allow-same-origin|Overwriting extension|ChatSessionStore|Service Worker|Creating a socket|connection token|additional builtin extensions/.test(l))
    .map((l) => l.replace(/%c\s*(\w+)\s+color: #\w+\s*/, '$1 '));
}

/**
 * Opens a workbench URL whose payload runs extension tests, and resolves with the exit code
 * the workbench hands to window.codeAutomationExit (0 pass, non-zero fail).
 */
export async function runExtensionTests(page: Page, url: string, timeoutMs: number): Promise<number> {
  let settle: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (settle = r));
  await page.exposeFunction('codeAutomationExit', (code: number) => {
    settle(code);
  });
  await page.goto(url);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the extension tests did not finish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the workbench is up: the status bar is shown and the explorer lists files. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * F1, type the command's title, pick the exact entry: as a person would. The palette lists
 * what was registered when it opened, and a remote extension host registers its
 * contributions some seconds after the window shows: so close and reopen until it appears.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const opened = await input.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false);
    if (opened) {
      await input.fill(`>${title}`);
      const found = await row.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false);
      if (found) {
        await row.click();
        return;
      }
      await page.keyboard.press('Escape');
    } else {
      // The focus may be in a webview that keeps F1; click the workbench's title bar first.
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 5 } }).catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`the command palette has no "${title}" after ${timeoutMs} ms`);
    await page.waitForTimeout(1000);
  }
}

/** Opens a workspace file by name through Quick Open (Ctrl+P), as a person does. */
export async function quickOpen(page: Page, file: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Picks a folder in VS Code's own folder dialog (the simple file dialog of a browser
 * workbench), as a person does: types the folder's path, then presses the dialog's button.
 * The dialog lists a typed folder asynchronously, and a press that lands while it is still
 * moving to the folder only completes that move, leaving the dialog open: so press again
 * until the dialog closes, as a person would. `whenListed` runs once, before the first press.
 */
export async function chooseFolderInDialog(page: Page, folder: string, buttonLabel: string, whenListed?: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input.input');
  const button = widget.locator('.monaco-button', { hasText: buttonLabel }).first();
  // The button tells the dialog from the command palette, which shares its widget and may still be closing.
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  const typed = folder.endsWith('/') ? folder : `${folder}/`;
  await input.fill(typed);
  await page.waitForTimeout(1000); // the dialog lists the folder's contents
  await whenListed?.();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await button.click({ timeout: 10_000 });
    const closed = await widget.waitFor({ state: 'hidden', timeout: 3000 }).then(() => true, () => false);
    if (closed) return;
    const value = await input.inputValue().catch(() => '');
    if (Date.now() > deadline) throw new Error(`the folder dialog stayed open ${timeoutMs} ms after pressing "${buttonLabel}"; its input reads "${value}"`);
    if (value !== typed) await input.fill(typed);
    await page.waitForTimeout(500);
  }
}

/** Answers a quick pick (a list shown by a command) by choosing the row whose text includes `label`. */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 15_000): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The texts of the notifications shown now. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts();
}

/** Waits for a notification whose text matches `pattern`; returns its text. */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await notificationTexts(page)).find((t) => pattern.test(t));
    if (hit) return hit;
    if (Date.now() > deadline) {
      // A quick input still open (a dialog or a palette that kept its text) is the usual reason: say so.
      const quickInput = page.locator('.quick-input-widget input.input');
      const open = (await quickInput.isVisible().catch(() => false)) ? `; a quick input is open, reading "${await quickInput.inputValue().catch(() => '?')}"` : '';
      throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms; shown: ${JSON.stringify(await notificationTexts(page))}${open}`);
    }
    await page.waitForTimeout(250);
  }
}

/**
 * The frame holding `selector`: webviews live in nested iframes (an outer host frame, an
 * inner "active-frame" with the extension's HTML), so search every frame of the page.
 */
export async function waitForFrameWith(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      const found = await frame.$(selector).catch(() => null);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no frame with ${selector} within ${timeoutMs} ms (${page.frames().length} frames)`);
    await page.waitForTimeout(250);
  }
}

/** Saves a numbered screenshot of the whole page under `dir`; returns its path. */
export class Screenshots {
  private n = 0;
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }
  async take(page: Page, name: string): Promise<string> {
    const file = join(this.dir, `${String(++this.n).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  }
}
