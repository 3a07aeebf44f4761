/**
 * The HTML shell of a webview: a strict Content-Security-Policy with a fresh nonce, the
 * bundled script, the stylesheets, and a nonce'd <style> element the page may fill through
 * the CSSOM. Pure (no `vscode`): the caller passes webview.cspSource and the resource URIs,
 * so the webview tests build their page with this same function.
 */
import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  /** `webview.cspSource`. */
  cspSource: string;
  title: string;
  /** `webview.asWebviewUri(...)` of the bundled script, as a string. */
  scriptUri: string;
  styleUris: string[];
  /** Markup of <body>. */
  body: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function renderWebviewHtml(page: WebviewPage): string {
  const nonce = page.nonce ?? makeNonce();
  const styles = page.styleUris.map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(page.cspSource, nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeAttr(page.title)}</title>
    ${styles}
    <style nonce="${nonce}" id="dynamic-style"></style>
  </head>
  <body>
${page.body}
    <script nonce="${nonce}" src="${escapeAttr(page.scriptUri)}"></script>
  </body>
</html>`;
}
