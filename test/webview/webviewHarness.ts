// Loads a webview's built bundle (dist/webview/<name>.js) in headless Chromium inside the
// page the extension would serve: the HTML from src/extension/webviewHtml.ts with its real
// CSP, served from a stand-in origin for webview.cspSource. The one stub is
// `acquireVsCodeApi`, standing in for VS Code: its postMessage reaches this Node process,
// where a real RpcEndpoint (extension side) answers, exactly as dashboardView.ts does.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml } from '../../src/extension/webviewHtml';
import { RpcEndpoint, type Channel, type Envelope, type NotificationMap, type RequestMap } from '../../src/shared/webviewProtocol';

export const repo = resolve(__dirname, '../../..');
export const resultsDir = join(repo, 'test-results');
const ORIGIN = 'https://webview.test';

/** A dark theme's worth of the CSS variables VS Code sets on a webview's <html>. */
const THEME_CSS = `html {
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-font-family: sans-serif;
  --vscode-font-size: 13px; --vscode-editor-font-family: monospace; --vscode-editor-font-size: 13px;
  --vscode-editor-background: #1e1e1e; --vscode-sideBar-background: #181818; --vscode-editorWidget-border: #454545;
  --vscode-button-background: #0e639c; --vscode-button-foreground: #ffffff; --vscode-focusBorder: #007fd4;
  --vscode-charts-blue: #3794ff; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185;
  --vscode-editorError-foreground: #f14c4c; --vscode-editorHoverWidget-background: #252526;
}
body { background: var(--vscode-editor-background); }`;

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

export interface Webview<C extends Channel<RequestMap, NotificationMap, NotificationMap>> {
  page: Page;
  /** The extension's side of the channel. */
  host: RpcEndpoint<C, 'extension'>;
  /** Every message the webview posted, in order. */
  posted: Envelope[];
  /** The last state the webview saved with setState. */
  state(): Promise<unknown>;
  cspViolations(): Promise<string[]>;
  consoleErrors: string[];
  html: string;
  close(): Promise<void>;
}

/**
 * Opens `dist/webview/<name>.js` in a fresh page. `state` is what getState() returns (as
 * after the view was hidden and shown again); `setup` registers request handlers before
 * the script runs.
 */
export async function openWebview<C extends Channel<RequestMap, NotificationMap, NotificationMap>>(
  name: 'dashboard' | 'tokens',
  opts: { state?: unknown; setup?: (host: RpcEndpoint<C, 'extension'>) => void; viewport?: { width: number; height: number } } = {},
): Promise<Webview<C>> {
  const b = await launchBrowser();
  const page = await b.newPage({ viewport: opts.viewport ?? { width: 520, height: 900 } });
  const nonce = 'testnonce' + Math.random().toString(36).slice(2);
  const stub = `
    window.__state = ${JSON.stringify(opts.state ?? null)} ?? undefined;
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__toHost(JSON.parse(JSON.stringify(m))),
        getState: () => window.__state,
        setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
      };
    };`;
  let html = renderWebviewHtml({
    cspSource: ORIGIN,
    title: name,
    nonce,
    scriptUri: `${ORIGIN}/dist/webview/${name}.js`,
    styleUris: [`${ORIGIN}/theme.css`, `${ORIGIN}/media/${name}.css`],
    body: '<div id="app"></div>',
  });
  html = html.replace(`<script nonce="${nonce}" src=`, `<script nonce="${nonce}">${stub}</script>\n    <script nonce="${nonce}" src=`);
  html = html.replace('<body>', '<body class="vscode-dark">');
  // VS Code's webview pages have no favicon; without this Chromium asks the stand-in origin for one.
  html = html.replace('<head>', '<head>\n    <link rel="icon" href="data:,">');

  const posted: Envelope[] = [];
  const listeners: Array<(m: unknown) => void> = [];
  const host = new RpcEndpoint<C, 'extension'>(
    {
      post: (m) => void page.evaluate((msg) => window.postMessage(msg, '*'), m as unknown as Record<string, unknown>).catch(() => undefined),
      listen: (f) => {
        listeners.push(f);
      },
    },
    'extension',
  );
  opts.setup?.(host);
  await page.exposeFunction('__toHost', (m: Envelope) => {
    posted.push(m);
    for (const f of listeners) f(m);
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (path === '/theme.css') return route.fulfill({ contentType: 'text/css', body: THEME_CSS });
    if (path.startsWith('/dist/webview/') || path.startsWith('/media/')) {
      const type = path.endsWith('.js') ? 'text/javascript' : 'text/css';
      return route.fulfill({ contentType: type, body: readFileSync(join(repo, path)) });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  await page.goto(`${ORIGIN}/index.html`);
  return {
    page,
    host,
    posted,
    html,
    consoleErrors,
    state: () => page.evaluate(() => (window as unknown as { __state: unknown }).__state),
    cspViolations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp),
    close: () => page.close(),
  };
}

/** Waits until `predicate` holds, polling every 25 ms. */
export async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
