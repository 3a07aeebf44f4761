/**
 * The token-confidence view (webview). Shows the active document with each token's
 * background coloured by the discriminator's probability that it was replaced (viridis,
 * legend at the top); tokens at or above the threshold are outlined. Hovering a token
 * shows its probability and the generator's top alternatives; clicking it selects it in
 * the editor. Colours and the threshold live in CSS rules (one per probability bin), so
 * moving the slider restyles a long document without touching its spans.
 */
import type { AlternativesView, DocumentView, TokensChannel, TokenView } from '../../shared/webviewProtocol';
import { SCORING_DEFAULTS } from '../../shared/defaults';
import { describeThreshold, formatThreshold, type ThresholdInUse } from '../../shared/calibrationFormat';
import { connectToHost, el } from '../host';
import { BINS, binColour, textColourOn, thresholdBin, viridis } from './colorRamp';
import { cleanTokens, renderTokens, type RenderHandle } from './render';

interface State {
  threshold: number;
}

const host = connectToHost<TokensChannel, State>();
const rpc = host.rpc;
const saved = host.getState();
let threshold = saved?.threshold ?? SCORING_DEFAULTS.threshold;
/** The user moved this view's slider (now or before a reload): their value wins over the editor's. */
let userSet = saved?.threshold !== undefined;
/** The threshold the editor flags at, and where it came from (the host's `threshold` notification). */
let editorThreshold: ThresholdInUse | undefined;

// ----------------------------------------------------------------------------- layout

const app = document.getElementById('app')!;
const header = el('div', 'header');
const title = el('div', 'title', 'Token confidence');
const info = el('div', 'info');
const controls = el('div', 'controls');
const sliderLabel = el('label', 'threshold', 'Threshold ');
const slider = el('input');
slider.type = 'range';
slider.id = 'threshold';
slider.min = '0';
slider.max = '1';
slider.step = '0.01';
slider.value = String(threshold);
slider.setAttribute('aria-label', 'Threshold: outline tokens at or above this probability of having been replaced');
const sliderValue = el('output', 'value', threshold.toFixed(2));
sliderLabel.append(slider, sliderValue);

const legend = el('div', 'legend');
legend.setAttribute('aria-label', 'Colour legend: probability that a token was replaced, 0 to 1 (viridis)');
const legendBar = el('div', 'legend-bar');
const legendMarker = el('div', 'legend-marker');
legendBar.append(legendMarker);
const legendTicks = el('div', 'legend-ticks');
for (const t of ['0', '0.25', '0.5', '0.75', '1']) legendTicks.append(el('span', undefined, t));
const legendCaption = el('div', 'legend-caption', 'P(replaced)');
legend.append(legendCaption, legendBar, legendTicks);
const thresholdSource = el('div', 'threshold-source');
thresholdSource.id = 'threshold-source';

controls.append(sliderLabel, legend, thresholdSource);
header.append(title, info, controls);
const status = el('div', 'status');
status.setAttribute('role', 'status');
const textBox = el('div', 'text');
textBox.id = 'text';
textBox.setAttribute('role', 'document');
const tooltip = el('div', 'tooltip');
tooltip.id = 'tooltip';
tooltip.setAttribute('role', 'tooltip');
tooltip.hidden = true;
app.append(header, status, textBox, tooltip);

// ----------------------------------------------------------------------------- colours (CSSOM rules)

const sheet = (document.getElementById('dynamic-style') as HTMLStyleElement).sheet!;
for (let k = 0; k < BINS; k++) {
  const bg = binColour(k);
  sheet.insertRule(`.t.b${k} { background-color: ${bg}; color: ${textColourOn(bg)}; }`, sheet.cssRules.length);
}
const stops = Array.from({ length: 11 }, (_, i) => `${viridis(i / 10)} ${i * 10}%`).join(', ');
sheet.insertRule(`.legend-bar { background: linear-gradient(to right, ${stops}); }`, sheet.cssRules.length);
const thresholdRuleIndex = sheet.cssRules.length;
sheet.insertRule('.t.none {}', thresholdRuleIndex);

/** One rule outlines every bin at or above the threshold (but not code or markup). */
function applyThreshold(): void {
  const k = thresholdBin(threshold);
  const selectors = [];
  for (let b = k; b < BINS; b++) selectors.push(`.t.b${b}:not(.markup)`); // code and markup are never flagged
  sheet.deleteRule(thresholdRuleIndex);
  sheet.insertRule(
    selectors.length ? `${selectors.join(',')} { outline: 2px solid var(--vscode-editorError-foreground, #f14c4c); outline-offset: -1px; font-weight: 600; }` : '.t.none {}',
    thresholdRuleIndex,
  );
  legendMarker.style.left = `${threshold * 100}%`;
  sliderValue.textContent = threshold.toFixed(2);
  thresholdSource.textContent = thresholdSourceText();
  updateInfo();
}

/** Where the outline's threshold comes from: the editor's (setting, calibration or default), or this slider. */
function thresholdSourceText(): string {
  const editor = editorThreshold ? `the editor flags at ${describeThreshold(editorThreshold)}` : '';
  if (!userSet && editorThreshold) return `Threshold ${describeThreshold(editorThreshold)} (as the editor)`;
  if (!userSet) return '';
  return `Threshold ${formatThreshold(threshold)}, set with this slider${editor ? `; ${editor}` : ''}`;
}

// ----------------------------------------------------------------------------- document

let doc: DocumentView | undefined;
let tokens: TokenView[] = [];
let rendering: RenderHandle | undefined;
const alternativesCache = new Map<string, Promise<AlternativesView | null>>();

function updateInfo(): void {
  if (!doc) {
    info.textContent = '';
    return;
  }
  if (doc.scoring) {
    info.textContent = `${doc.fileName} · scoring…`;
    return;
  }
  const flagged = tokens.reduce((n, t) => n + (t.p >= threshold && !t.markup ? 1 : 0), 0);
  info.textContent = `${doc.fileName} · ${tokens.length} tokens · ${flagged} at or above ${threshold.toFixed(2)} · checkpoint step ${doc.checkpointStep}`;
  textBox.dataset.flagged = String(flagged);
}

function showDocument(d: DocumentView): void {
  const sameDoc = doc?.uri === d.uri;
  const scroll = window.scrollY;
  doc = d;
  tokens = cleanTokens(d.tokens, d.text.length);
  alternativesCache.clear();
  hideTooltip();
  if (d.scoring) showStatus('info', 'Scoring… the text is shown meanwhile.');
  else {
    status.textContent = '';
    status.hidden = true;
  }
  title.textContent = 'Token confidence';
  updateInfo();
  rendering?.cancel();
  textBox.dataset.rendered = 'false';
  // The reader keeps their place over an edit or the scores' arrival: the text is laid out
  // at once and the chunks on screen get their colours first.
  const handle = renderTokens(textBox, d.text, tokens, requestAnimationFrame, () => window.scrollTo(0, sameDoc ? scroll : 0));
  rendering = handle;
  textBox.dataset.shownVersion = String(d.version);
  void handle.done.then((complete) => {
    if (!complete || rendering !== handle || d.scoring) return;
    textBox.dataset.rendered = 'true';
    textBox.dataset.version = String(d.version);
  });
}

function showStatus(kind: 'info' | 'error', message: string): void {
  status.hidden = false;
  status.className = `status ${kind}`;
  status.textContent = message;
}

// ----------------------------------------------------------------------------- tooltip (delegated)

let hoverTimer: ReturnType<typeof setTimeout> | undefined;
let hovered: HTMLElement | undefined;

function tokenOf(target: EventTarget | null): { span: HTMLElement; token: TokenView } | undefined {
  const span = (target as HTMLElement | null)?.closest?.('.t') as HTMLElement | null;
  if (!span || span.dataset.i === undefined) return undefined;
  const token = tokens[Number(span.dataset.i)];
  return token ? { span, token } : undefined;
}

function hideTooltip(): void {
  tooltip.hidden = true;
  hovered = undefined;
  if (hoverTimer) clearTimeout(hoverTimer);
}

function placeTooltip(span: HTMLElement): void {
  const r = span.getBoundingClientRect();
  const top = r.bottom + 4 + tooltip.offsetHeight > window.innerHeight ? r.top - tooltip.offsetHeight - 4 : r.bottom + 4;
  tooltip.style.top = `${Math.max(0, top + window.scrollY)}px`;
  tooltip.style.left = `${Math.max(0, Math.min(r.left, window.innerWidth - tooltip.offsetWidth - 4) + window.scrollX)}px`;
}

function alternativesOf(token: TokenView): Promise<AlternativesView | null> {
  const key = `${doc!.version}:${token.start}`;
  let p = alternativesCache.get(key);
  if (!p) {
    p = rpc.request('alternatives', { uri: doc!.uri, version: doc!.version, offset: token.start });
    alternativesCache.set(key, p);
    p.catch(() => alternativesCache.delete(key));
  }
  return p;
}

function fillTooltip(token: TokenView, alternatives: AlternativesView | null | 'loading' | Error): void {
  tooltip.replaceChildren();
  const head = el('div', 'tip-head');
  head.append(el('code', 'piece', token.piece), el('span', 'prob', ` P(replaced) = ${token.p.toFixed(3)}`));
  tooltip.append(head);
  if (token.markup) tooltip.append(el('div', 'tip-note', 'Code or markup: never flagged.'));
  if (alternatives === 'loading') tooltip.append(el('div', 'tip-note', 'Generator alternatives…'));
  else if (alternatives instanceof Error) tooltip.append(el('div', 'tip-note', `No alternatives: ${alternatives.message}`));
  else if (!alternatives || alternatives.alternatives.length === 0) tooltip.append(el('div', 'tip-note', 'No alternatives.'));
  else {
    const list = el('ol', 'alternatives');
    for (const a of alternatives.alternatives) {
      const item = el('li');
      item.append(el('code', undefined, a.piece), el('span', 'alt-p', ` ${(a.probability * 100).toFixed(1)}%`));
      list.append(item);
    }
    tooltip.append(el('div', 'tip-note', 'Generator alternatives:'), list);
  }
  tooltip.hidden = false;
}

textBox.addEventListener('mouseover', (e) => {
  const hit = tokenOf(e.target);
  if (!hit || hit.span === hovered) return;
  hovered = hit.span;
  if (hoverTimer) clearTimeout(hoverTimer);
  hoverTimer = setTimeout(() => {
    const { span, token } = hit;
    fillTooltip(token, 'loading');
    placeTooltip(span);
    alternativesOf(token).then(
      (alts) => {
        if (hovered !== span) return;
        fillTooltip(token, alts);
        placeTooltip(span);
      },
      (err: Error) => {
        if (hovered === span) fillTooltip(token, err);
      },
    );
  }, 120);
});

textBox.addEventListener('mouseleave', hideTooltip);
textBox.addEventListener('mouseout', (e) => {
  if (!tokenOf(e.relatedTarget)) hideTooltip();
});

textBox.addEventListener('click', (e) => {
  const hit = tokenOf(e.target);
  if (!hit || !doc) return;
  rpc.notify('reveal', { uri: doc.uri, start: hit.token.start, end: hit.token.end });
});

// ----------------------------------------------------------------------------- controls and host

slider.addEventListener('input', () => {
  threshold = Number(slider.value);
  userSet = true;
  host.setState({ threshold });
  applyThreshold();
  rpc.notify('thresholdChanged', { value: threshold });
});

rpc.onNotification('document', (d) => showDocument(d));
rpc.onNotification('status', ({ kind, message }) => showStatus(kind, message));
rpc.onNotification('threshold', (t) => {
  editorThreshold = t;
  if (!userSet) {
    // The user's own choice wins over the editor's threshold.
    threshold = t.value;
    slider.value = String(t.value);
  }
  applyThreshold();
});

applyThreshold();
showStatus('info', 'Waiting for scores…');
rpc.notify('ready', {});
