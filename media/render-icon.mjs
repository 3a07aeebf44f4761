// Renders media/icon.svg to media/icon.png (128x128, transparent) with Debian chromium: node media/render-icon.mjs
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox','--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 128, height: 128 } });
await p.setContent(`<html><body style="margin:0;background:transparent">${readFileSync(new URL("icon.svg", import.meta.url), "utf8")}</body></html>`);
await p.screenshot({ path: new URL("icon.png", import.meta.url).pathname, omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
await b.close();
