/**
 * Renders a document's text with one <span class="t b{bin}" data-i="{index}"> per token
 * and plain text nodes between tokens. Long documents are built in chunks of about
 * CHUNK_TOKENS tokens, cut at line ends, one <div class="chunk"> (built in a
 * DocumentFragment) per animation frame, so the view stays responsive; a newer render
 * cancels an older one. Chunks have `content-visibility: auto`, so the browser skips
 * style and layout of the ones off screen: the page virtualises itself. No listeners per
 * token: the page listens once on the container (event delegation) and finds the token
 * by data-i.
 */
import type { TokenView } from '../../shared/webviewProtocol';
import { binOf } from './colorRamp';

export const CHUNK_TOKENS = 1500;
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

function fragmentFor(text: string, tokens: readonly TokenView[], from: number, to: number, textFrom: number, textTo: number): DocumentFragment {
  const frag = document.createDocumentFragment();
  const chunk = document.createElement('div');
  chunk.className = 'chunk';
  frag.append(chunk);
  let pos = textFrom;
  for (let i = from; i < to; i++) {
    const t = tokens[i];
    if (t.start > pos) chunk.append(text.slice(pos, t.start));
    const span = document.createElement('span');
    span.className = `t b${binOf(t.p)}`;
    span.dataset.i = String(i);
    span.textContent = text.slice(t.start, t.end);
    chunk.append(span);
    pos = t.end;
  }
  if (textTo > pos) chunk.append(text.slice(pos, textTo));
  return frag;
}

/** Replaces `container`'s content with the rendered text, chunk by chunk. */
export function renderTokens(container: HTMLElement, text: string, tokens: readonly TokenView[], schedule: (f: () => void) => void = requestAnimationFrame): RenderHandle {
  container.replaceChildren();
  let cancelled = false;
  const done = new Promise<boolean>((resolve) => {
    let i = 0;
    let textPos = 0;
    const step = (): void => {
      if (cancelled) return resolve(false);
      const [to, textTo] = chunkEnd(text, tokens, i);
      container.append(fragmentFor(text, tokens, i, to, textPos, textTo));
      i = to;
      textPos = textTo;
      if (i >= tokens.length) return resolve(true);
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
