/**
 * Renders a document's text with one <span class="t b{bin}" data-i="{index}"> per token
 * (and class "markup" on a Markdown document's code and markup, which is never outlined)
 * and plain text nodes between tokens. The text is cut into chunks of about CHUNK_TOKENS
 * tokens at line ends, one <div class="chunk"> each. All chunks are shown at once as plain
 * text (the reader sees the whole document, scrollable, at once); then the chunks on
 * screen get their token spans first, and the others after them, nearest first, a few per
 * animation frame so the view stays responsive. A newer render cancels an older one.
 * Chunks have `content-visibility: auto`, so the browser skips style and layout of the
 * ones off screen: the page virtualises itself. No listeners per token: the page listens
 * once on the container (event delegation) and finds the token by data-i.
 */
import type { TokenView } from '../../shared/webviewProtocol';
import { binOf } from './colorRamp';

export const CHUNK_TOKENS = 1500;
/** Characters per chunk of a text shown before its scores came. */
const PLAIN_CHUNK_CHARS = 20_000;
/** Time per animation frame spent giving chunks their token spans. */
const FRAME_BUDGET_MS = 10;
/** How far past CHUNK_TOKENS a chunk may grow while looking for a line end. */
const MAX_EXTRA_TOKENS = 1500;

export interface RenderHandle {
  /** Resolves when the last chunk is in the DOM (false if cancelled). */
  done: Promise<boolean>;
  cancel(): void;
}

/** Tokens sorted by start, dropping any that overlap the previous one or fall outside the text. */
export function cleanTokens(tokens: readonly TokenView[], textLength: number): TokenView[] {
  const sorted = tokens.filter((t) => t.start >= 0 && t.end > t.start && t.end <= textLength).sort((a, b) => a.start - b.start);
  const out: TokenView[] = [];
  let lastEnd = 0;
  for (const t of sorted) {
    if (t.start < lastEnd) continue;
    out.push(t);
    lastEnd = t.end;
  }
  return out;
}

/**
 * Where the chunk starting at token `from` ends: [token index, text offset]. It ends
 * just after the first newline between two tokens once it has CHUNK_TOKENS tokens, so
 * a chunk (a block) never splits a line.
 */
export function chunkEnd(text: string, tokens: readonly TokenView[], from: number): [number, number] {
  const min = from + CHUNK_TOKENS;
  if (min >= tokens.length) return [tokens.length, text.length];
  const max = Math.min(tokens.length, min + MAX_EXTRA_TOKENS);
  for (let to = min; to < max; to++) {
    const nl = text.indexOf('\n', tokens[to - 1].end);
    if (nl >= 0 && nl < tokens[to].start) return [to, nl + 1];
  }
  return max >= tokens.length ? [tokens.length, text.length] : [max, tokens[max].start];
}

interface Chunk {
  /** Token range [from, to) and text range [textFrom, textTo). */
  from: number;
  to: number;
  textFrom: number;
  textTo: number;
}

/** The chunks of the text: by tokens (chunkEnd), or by lines when there are no tokens yet. */
export function chunksOf(text: string, tokens: readonly TokenView[]): Chunk[] {
  const chunks: Chunk[] = [];
  if (tokens.length === 0) {
    for (let textFrom = 0; textFrom < text.length; ) {
      const nl = text.indexOf('\n', textFrom + PLAIN_CHUNK_CHARS);
      const textTo = nl < 0 ? text.length : nl + 1;
      chunks.push({ from: 0, to: 0, textFrom, textTo });
      textFrom = textTo;
    }
    return chunks;
  }
  for (let from = 0, textFrom = 0; from < tokens.length; ) {
    const [to, textTo] = chunkEnd(text, tokens, from);
    chunks.push({ from, to, textFrom, textTo });
    [from, textFrom] = [to, textTo];
  }
  return chunks;
}

function fillChunk(div: HTMLElement, text: string, tokens: readonly TokenView[], c: Chunk): void {
  const frag = document.createDocumentFragment();
  let pos = c.textFrom;
  for (let i = c.from; i < c.to; i++) {
    const t = tokens[i];
    if (t.start > pos) frag.append(text.slice(pos, t.start));
    const span = document.createElement('span');
    span.className = t.markup ? `t b${binOf(t.p)} markup` : `t b${binOf(t.p)}`;
    span.dataset.i = String(i);
    span.textContent = text.slice(t.start, t.end);
    frag.append(span);
    pos = t.end;
  }
  if (c.textTo > pos) frag.append(text.slice(pos, c.textTo));
  div.replaceChildren(frag);
  div.dataset.filled = 'true';
}

/** Chunk indices: those on screen first, then the others, nearest to them first. */
function onScreenFirst(divs: readonly HTMLElement[]): number[] {
  const shown: number[] = [];
  divs.forEach((d, i) => {
    const r = d.getBoundingClientRect();
    if (r.bottom > 0 && r.top < window.innerHeight) shown.push(i);
  });
  const first = shown[0] ?? 0;
  const last = shown.at(-1) ?? -1;
  const order = [...shown];
  for (let k = 1; first - k >= 0 || last + k < divs.length; k++) {
    if (last + k < divs.length) order.push(last + k);
    if (first - k >= 0) order.push(first - k);
  }
  return order;
}

/**
 * Replaces `container`'s content with the text (at once, as plain text; then `laidOut` runs,
 * to scroll back to where the reader was), then gives the chunks their token spans, those on
 * screen first.
 */
export function renderTokens(
  container: HTMLElement,
  text: string,
  tokens: readonly TokenView[],
  schedule: (f: () => void) => void = requestAnimationFrame,
  laidOut: () => void = () => undefined,
): RenderHandle {
  const chunks = chunksOf(text, tokens);
  const divs = chunks.map((c, i) => {
    const div = document.createElement('div');
    div.className = 'chunk';
    div.dataset.c = String(i);
    div.textContent = text.slice(c.textFrom, c.textTo);
    return div;
  });
  container.replaceChildren(...divs);
  laidOut();
  let cancelled = false;
  const done = new Promise<boolean>((resolve) => {
    if (tokens.length === 0) return resolve(true);
    const order = onScreenFirst(divs);
    let k = 0;
    const step = (): void => {
      if (cancelled) return resolve(false);
      const until = performance.now() + FRAME_BUDGET_MS;
      do {
        const i = order[k++];
        fillChunk(divs[i], text, tokens, chunks[i]);
      } while (k < order.length && performance.now() < until);
      if (k >= order.length) return resolve(true);
      schedule(step);
    };
    step();
  });
  return {
    done,
    cancel: () => {
      cancelled = true;
    },
  };
}
