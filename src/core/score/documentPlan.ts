/**
 * The scoring windows of a whole document, planned block by block.
 *
 * A block is the text between blank lines. planWindows never lets a window cross a blank
 * line, so the windows of a document are the windows of its blocks side by side, and a
 * block's windows depend on the block's text alone. Re-planning after an edit therefore
 * splits the text at its blank lines and takes every block whose text is unchanged from the
 * previous plan (looked up by its text): only the edited blocks are tokenized and planned.
 * On a 1 MB document this is what lets the language server find the window under a cursor
 * on every keystroke without walking all of the document's tokens.
 */
import type { Token } from '../data/tokenizer';
import type { ScoringWindow } from './scoring';

/** One block's tokens and windows; offsets and token indices relative to the block. */
export interface BlockPlan {
  text: string;
  tokens: Token[];
  windows: ScoringWindow[];
  /** Per window: the model's input ([CLS] ids [SEP]) and its cache key (the ids joined). */
  ids: Int32Array[];
  keys: string[];
}

export interface PlacedBlock {
  /** UTF-16 offset of the block's first character in the document. */
  offset: number;
  text: string;
  /**
   * Its tokens and windows, once planned: a block whose text was in the previous plan
   * carries its plan over; a new one is planned when first needed (see planBlocks), so
   * that splitting a large document never blocks for long.
   */
  plan?: BlockPlan;
}

export interface DocumentPlan {
  text: string;
  /** Blocks holding something other than white space, in document order. */
  blocks: PlacedBlock[];
}

/** A blank line: a line break, spaces or tabs, a line break. */
const BLANK_LINE = /\n[^\S\n]*\n/g;

/**
 * The blocks of `text`, each with the plan of the block of the same text in `previous`, if
 * any. After an edit (previous given), only the part of the text between the unchanged
 * start and the unchanged end is split again; the blocks before it are taken as they are and
 * those after it moved by the change in length, so a keystroke costs a comparison of the two
 * texts rather than a split of the whole document.
 */
export function planDocument(text: string, previous?: DocumentPlan): DocumentPlan {
  if (!previous || previous.blocks.length === 0) return { text, blocks: splitBlocks(text, 0, text.length, new Map()) };
  const old = previous.text;
  const blocks = previous.blocks;
  const n = blocks.length;
  const end = (b: PlacedBlock) => b.offset + b.text.length;
  // The unchanged start and end of the text.
  const limit = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < limit && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  const delta = text.length - old.length;
  // Blocks before the change: those whose successor starts in the unchanged start (their
  // text and the blank line after them are unchanged).
  let head = 0;
  while (head + 1 < n && blocks[head + 1].offset <= prefix) head++;
  // Blocks after the change: those whose predecessor ends in the unchanged end.
  let tail = n;
  while (tail - 1 > head && end(blocks[tail - 2]) >= old.length - suffix) tail--;
  const from = head > 0 ? blocks[head].offset : 0;
  const to = tail < n ? end(blocks[tail - 1]) + delta : text.length;
  const reusable = new Map<string, BlockPlan>();
  for (let i = head; i < tail; i++) if (blocks[i].plan) reusable.set(blocks[i].text, blocks[i].plan!);
  const middle = splitBlocks(text, from, to, reusable);
  const moved = blocks.slice(tail).map((b) => ({ offset: b.offset + delta, text: b.text, plan: b.plan }));
  return { text, blocks: [...blocks.slice(0, head), ...middle, ...moved] };
}

/** The blocks of text[from, to) (which starts and ends at block boundaries), plans taken from `reusable` by text. */
function splitBlocks(text: string, from: number, to: number, reusable: Map<string, BlockPlan>): PlacedBlock[] {
  const blocks: PlacedBlock[] = [];
  const add = (start: number, end: number) => {
    if (end <= start) return;
    const blockText = text.slice(start, end);
    if (!/\S/.test(blockText)) return; // spaces between blank lines: no tokens
    blocks.push({ offset: start, text: blockText, plan: reusable.get(blockText) });
  };
  let start = from;
  BLANK_LINE.lastIndex = from;
  for (let m = BLANK_LINE.exec(text); m && m.index + m[0].length <= to; m = BLANK_LINE.exec(text)) {
    add(start, m.index);
    // A blank line overlapping this one ("\n\n\n") has no token before it in the next block.
    start = m.index + m[0].length;
  }
  add(start, to);
  return blocks;
}

/** Plans every block of `plan` not planned yet (Scorer.planBlock); returns the plans in order. */
export function planBlocks(plan: DocumentPlan, planBlock: (blockText: string) => BlockPlan): BlockPlan[] {
  return plan.blocks.map((b) => (b.plan ??= planBlock(b.text)));
}

/** The index of the block whose text covers `offset` (or ends exactly at it), else -1. */
export function blockAt(plan: DocumentPlan, offset: number): number {
  let lo = 0;
  let hi = plan.blocks.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = plan.blocks[mid];
    if (offset < b.offset) hi = mid - 1;
    else if (offset > b.offset + b.text.length) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The window of `block` that supplies the score of its token `index` (relative to the block). */
export function windowKeeping(block: BlockPlan, index: number): number {
  let lo = 0;
  let hi = block.windows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const w = block.windows[mid];
    if (index < w.keepStart) hi = mid - 1;
    else if (index >= w.keepEnd) lo = mid + 1;
    else return mid;
  }
  return -1;
}
