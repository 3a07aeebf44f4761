/**
 * Scoring of open documents, window by window, so that the server keeps up with typing.
 *
 * Each document has a plan (src/core/score/documentPlan.ts: its blocks, tokens and scoring
 * windows) and the probabilities of the windows scored so far, keyed by the window's text
 * (its token ids). One loop works through the windows of every open document in slices:
 * a slice computes one batch of windows of one document, then the loop yields to the event
 * loop (so requests and edits are read) and moves on to the next document that has work
 * (round robin: a large document never starves a small one). Windows in the client's
 * visible ranges are scored first.
 *
 * An edit does not restart anything: the next slice re-plans the document (only the edited
 * blocks are tokenized again), carries over every window whose text did not change, and
 * goes on with the windows still missing. Blocks new to a plan (all of them when a document
 * is opened) are tokenized by slices too, so opening a large document never blocks. A window computed for an older version is kept if
 * that text is still there. When every window of the current version has its scores, the
 * document is complete and its diagnostics are published.
 *
 * Requests never wait for the whole document: a hover or a code action looks up the window
 * holding its token and computes that one window if it is missing (see tokenAt, tokensIn).
 * Only electra/scoreDocument, which asks for every token, waits for completion.
 */
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { blockAt, planDocument, windowKeeping, type BlockPlan, type DocumentPlan, type PlacedBlock, type TokenScore } from '../core';
import { checkDocumentLimits } from './documentLimits';
import { NoCheckpointError, type ScorerHost, type ScorerLike } from './scorerHost';
import { tokenIndexAt } from './tokens';

/**
 * One version of a document with every token scored. Its tokens are read from the window
 * probabilities when asked for: a 1 MB document has 200,000 of them, and its diagnostics
 * need only those at or above the threshold.
 */
export class DocumentScore {
  private all: TokenScore[] | undefined;

  constructor(
    readonly uri: string,
    readonly version: number,
    /** The text that was scored. */
    readonly text: string,
    readonly checkpointStep: number,
    private readonly plan: DocumentPlan,
    private readonly results: ReadonlyMap<string, Float32Array>,
  ) {}

  /** Every token; UTF-16 offsets into `text`, sorted by start. */
  get tokens(): TokenScore[] {
    return (this.all ??= this.tokensAbove(-Infinity));
  }

  /** The tokens whose probability of having been replaced is at least `min`, in document order. */
  tokensAbove(min: number): TokenScore[] {
    const out: TokenScore[] = [];
    for (const block of this.plan.blocks) {
      const { tokens, windows, keys } = block.plan!;
      windows.forEach((win, i) => {
        const probs = this.results.get(keys[i])!;
        for (let t = win.keepStart; t < win.keepEnd; t++) {
          const p = probs[1 + t - win.start];
          if (p < min) continue;
          const tok = tokens[t];
          out.push({ piece: tok.piece, id: tok.id, start: block.offset + tok.start, end: block.offset + tok.end, pReplaced: p });
        }
      });
    }
    return out;
  }
}

/** A token of the current version, and its window (for the generator's alternatives). */
export interface TokenHit {
  token: TokenScore;
  version: number;
  checkpointStep: number;
  /** The window's ids ([CLS] ... [SEP]), its key, and the token's position in them. */
  windowIds: Int32Array;
  windowKey: string;
  position: number;
}

export interface ScoringStats {
  /** Versions whose every window was scored (each then had its diagnostics published). */
  scorings: number;
  /** Windows the model computed. */
  windowsComputed: number;
  /** Windows of the completed versions that were not computed for them (carried over or cached). */
  windowsFromCache: number;
  /** Versions overtaken by a newer one before they were complete (their scored windows carry over). */
  abandoned: number;
  /** Milliseconds spent computing windows, summed. */
  scoringMs: number;
}

/** Time one slice aims at: a request waits for at most about this long before its turn. */
const SLICE_TARGET_MS = 25;
/** Time a slice spends tokenizing and planning new blocks. */
const PLAN_SLICE_MS = 20;
/** Windows per slice: bounds of the count adapted to SLICE_TARGET_MS. */
const MAX_WINDOWS_PER_SLICE = 8;
/** Windows a code action over a range computes at most; the rest of the range uses what is scored. */
const MAX_WINDOWS_PER_REQUEST = 2;
/** How often a request waiting for a whole document checks for its cancellation. */
const WAIT_POLL_MS = 250;

interface Pending {
  key: string;
  ids: Int32Array;
  /** Document offset of the window's block, to put visible windows first. */
  offset: number;
}

interface DocWork {
  uri: string;
  generation: number;
  plan?: DocumentPlan;
  planVersion: number;
  /** Probabilities per window key, for the windows of `plan` that are scored. */
  results: Map<string, Float32Array>;
  /** Windows of `plan` still to score, in the order they are taken; `next` is the cursor. */
  queue: Pending[];
  next: number;
  /** Blocks of `plan` not tokenized yet, in the order slices take them; `nextBlock` is the cursor. */
  unplanned: PlacedBlock[];
  nextBlock: number;
  /** Edits in quick succession: the current version is planned and published from this time on. */
  readyAt: number;
  /** Visible ranges as offsets, as the client last sent them. */
  visible: Array<{ start: number; end: number }>;
  /** Windows computed since the document was last complete. */
  computedSince: number;
  /** The score of the version last completed, and the generation it belongs to. */
  complete?: DocumentScore;
  completeGeneration: number;
  /** A version whose slice failed, and why: not tried again until the document changes. */
  failedVersion?: number;
  failure?: Error;
}

export class ScoringScheduler {
  private readonly docs = new Map<string, DocWork>();
  /** Round-robin cursor into the documents' insertion order. */
  private turn = 0;
  private running = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private windowsPerSlice = 4;
  readonly stats: ScoringStats = { scorings: 0, windowsComputed: 0, windowsFromCache: 0, abandoned: 0, scoringMs: 0 };

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly host: ScorerHost,
    private readonly events: {
      /** Every window of the document's current version is scored. */
      onComplete(score: DocumentScore): void;
      onError(uri: string, error: Error): void;
    },
  ) {}

  /** The document changed (or opened): its current version is planned after `delayMs` (the typing debounce). */
  changed(uri: string, delayMs: number): void {
    const w = this.work(uri);
    w.readyAt = performance.now() + delayMs;
    w.failedVersion = undefined;
    this.kick();
  }

  /** The scorer changed: every document is scored again from scratch. */
  rescheduleAll(): void {
    for (const doc of this.documents.all()) this.changed(doc.uri, 0);
    this.wake();
  }

  forget(uri: string): void {
    this.docs.delete(uri);
    this.wake();
  }

  /** The client's visible ranges of `uri` (offsets): their windows are scored first. */
  setVisible(uri: string, ranges: Array<{ start: number; end: number }>): void {
    const w = this.work(uri);
    w.visible = ranges;
    if (w.plan) this.order(w);
  }

  /** The latest complete score of `uri` under the current checkpoint, whatever its version. */
  latest(uri: string): DocumentScore | undefined {
    const w = this.docs.get(uri);
    return w?.complete && w.completeGeneration === this.host.generation ? w.complete : undefined;
  }

  /**
   * Every token of the document's current version, waiting until the scheduler has scored
   * them all (its typing debounce is skipped). Undefined when the document is closed or
   * `isCancelled` turns true; throws NoCheckpointError when no checkpoint is loaded.
   */
  async complete(uri: string, isCancelled: () => boolean = () => false): Promise<DocumentScore | undefined> {
    for (;;) {
      const doc = this.documents.get(uri);
      if (!doc || isCancelled()) return undefined;
      if (!this.host.scorer) throw new NoCheckpointError(this.host.status.message);
      const w = this.work(uri);
      if (w.complete && w.complete.version === doc.version && w.completeGeneration === this.host.generation) return w.complete;
      if (w.failedVersion === doc.version) throw w.failure ?? new Error(`scoring version ${doc.version} of ${uri} failed (see the server log)`);
      w.readyAt = Math.min(w.readyAt, performance.now()); // asked for: no debounce
      this.kick();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, WAIT_POLL_MS);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /**
   * The token at `offset` of the document's current version with its probability, scoring
   * its window if no slice has yet (unless the request is cancelled by then). Throws
   * NoCheckpointError when no checkpoint is loaded.
   */
  async tokenAt(uri: string, offset: number, isCancelled: () => boolean = () => false): Promise<TokenHit | undefined> {
    const { w, plan, version, scorer, generation } = this.current(uri);
    const b = blockAt(plan, offset);
    if (b < 0) return undefined;
    const index = tokenIndexAt(this.blockPlan(w, plan.blocks[b], scorer).tokens, offset - plan.blocks[b].offset);
    if (index < 0) return undefined;
    const hits = await this.hits(w, plan, [{ b, index }], isCancelled() ? 0 : 1, scorer, generation);
    return hits[0] && { ...hits[0], version };
  }

  /**
   * Tokens overlapping [start, end) of the current version (a caret, start === end, gives
   * the token under it) with their probabilities. Windows not scored yet are computed, up to
   * MAX_WINDOWS_PER_REQUEST; tokens of further unscored windows are left out.
   */
  async tokensIn(uri: string, start: number, end: number, isCancelled: () => boolean = () => false): Promise<TokenHit[]> {
    if (start === end) {
      const hit = await this.tokenAt(uri, start, isCancelled);
      return hit ? [hit] : [];
    }
    const { w, plan, version, scorer, generation } = this.current(uri);
    const wanted: Array<{ b: number; index: number }> = [];
    for (let b = Math.max(0, blockAt(plan, start)); b < plan.blocks.length; b++) {
      const block = plan.blocks[b];
      if (block.offset >= end) break;
      this.blockPlan(w, block, scorer).tokens.forEach((t, index) => {
        if (t.start + block.offset < end && t.end + block.offset > start) wanted.push({ b, index });
      });
    }
    return (await this.hits(w, plan, wanted, isCancelled() ? 0 : MAX_WINDOWS_PER_REQUEST, scorer, generation)).map((h) => ({ ...h, version }));
  }

  // ------------------------------------------------------------------------ internals

  private work(uri: string): DocWork {
    let w = this.docs.get(uri);
    if (!w) {
      w = { uri, generation: -1, planVersion: -1, results: new Map(), queue: [], next: 0, unplanned: [], nextBlock: 0, readyAt: 0, visible: [], computedSince: 0, completeGeneration: -1 };
      this.docs.set(uri, w);
    }
    return w;
  }

  /** The document's plan for its current version (re-planned now if needed), for a request. */
  private current(uri: string) {
    const doc = this.documents.get(uri);
    const scorer = this.host.scorer;
    if (!scorer) throw new NoCheckpointError(this.host.status.message);
    if (!doc) throw new Error(`${uri} is not open`);
    const w = this.work(uri);
    const plan = this.plan(w, doc, scorer);
    return { w, plan, version: doc.version, scorer, generation: this.host.generation };
  }

  /** Probabilities for the tokens `wanted` (block, index in block), computing up to `budget` missing windows. */
  private async hits(
    w: DocWork,
    plan: DocumentPlan,
    wanted: Array<{ b: number; index: number }>,
    budget: number,
    scorer: ScorerLike,
    generation: number,
  ): Promise<Omit<TokenHit, 'version'>[]> {
    const located = wanted.map(({ b, index }) => {
      const block = plan.blocks[b];
      const bp = this.blockPlan(w, block, scorer);
      const wi = windowKeeping(bp, index);
      return { block, bp, index, wi, key: bp.keys[wi] };
    });
    const missing = new Map<string, Int32Array>();
    for (const l of located) {
      if (missing.size >= budget) break;
      if (!this.probabilities(w, scorer, l.key) && !missing.has(l.key)) missing.set(l.key, l.bp.ids[l.wi]);
    }
    if (missing.size > 0) await this.compute(w, [...missing].map(([key, ids]) => ({ key, ids, offset: 0 })), generation);
    const out: Omit<TokenHit, 'version'>[] = [];
    for (const { block, bp, index, wi, key } of located) {
      const probs = this.probabilities(w, scorer, key);
      if (!probs) continue;
      const t = bp.tokens[index];
      const window = bp.windows[wi];
      const position = 1 + index - window.start;
      out.push({
        token: { piece: t.piece, id: t.id, start: block.offset + t.start, end: block.offset + t.end, pReplaced: probs[position] },
        checkpointStep: scorer.checkpointStep,
        windowIds: bp.ids[wi],
        windowKey: key,
        position,
      });
    }
    return out;
  }

  private probabilities(w: DocWork, scorer: ScorerLike, key: string): Float32Array | undefined {
    let p = w.results.get(key);
    if (!p) {
      p = scorer.cachedWindow(key);
      if (p) w.results.set(key, p);
    }
    return p;
  }

  /** Computes `batch` with the current scorer and records the results; false if the scorer changed meanwhile. */
  private async compute(w: DocWork, batch: Pending[], generation: number): Promise<boolean> {
    const started = performance.now();
    const out = await this.host.withScorer(async (s, g): Promise<Float32Array[] | undefined> =>
      g === generation ? s.computeWindows(batch.map((p) => p.ids), batch.map((p) => p.key)) : undefined,
    );
    if (!out || this.host.generation !== generation || w.generation !== generation) return false;
    const ms = performance.now() - started;
    batch.forEach((p, i) => w.results.set(p.key, out[i]));
    this.stats.windowsComputed += batch.length;
    this.stats.scoringMs += ms;
    w.computedSince += batch.length;
    // Slices of about SLICE_TARGET_MS: a request waits for one at most.
    const perWindow = ms / batch.length;
    this.windowsPerSlice = Math.max(1, Math.min(MAX_WINDOWS_PER_SLICE, Math.floor(SLICE_TARGET_MS / Math.max(perWindow, 0.1))));
    return true;
  }

  /**
   * The plan of the document's current version: re-planned from the previous one when the
   * version changed, keeping the scores of every window whose text is still there.
   */
  private plan(w: DocWork, doc: TextDocument, scorer: ScorerLike): DocumentPlan {
    const generation = this.host.generation;
    if (w.generation !== generation) {
      // Another checkpoint (or vocabulary): nothing planned or scored before is valid.
      w.generation = generation;
      w.plan = undefined;
      w.planVersion = -1;
      w.results = new Map();
      w.queue = [];
      w.next = 0;
      w.unplanned = [];
      w.nextBlock = 0;
      w.computedSince = 0;
    }
    if (w.plan && w.planVersion === doc.version) return w.plan;
    // A document over the corpus limits (too large, binary) is never scored: DocumentRefusedError.
    checkDocumentLimits(doc.getText());
    if (w.plan && this.pendingLeft(w)) this.stats.abandoned++;
    const plan = planDocument(doc.getText(), w.plan);
    const previous = w.results;
    w.plan = plan;
    w.planVersion = doc.version;
    w.results = new Map();
    w.queue = [];
    w.next = 0;
    w.unplanned = [];
    w.nextBlock = 0;
    for (const block of plan.blocks) {
      if (block.plan) this.enqueue(w, block, block.plan, scorer, previous);
      else w.unplanned.push(block);
    }
    this.order(w);
    return plan;
  }

  /** The plan of `block`, tokenizing it now if no slice has yet (its missing windows join the queue). */
  private blockPlan(w: DocWork, block: PlacedBlock, scorer: ScorerLike): BlockPlan {
    if (!block.plan) {
      block.plan = scorer.planBlock(block.text);
      this.enqueue(w, block, block.plan, scorer, w.results);
    }
    return block.plan;
  }

  /** Records the scored windows of a planned block (from `previous` or the cache) and queues the others. */
  private enqueue(w: DocWork, block: PlacedBlock, bp: BlockPlan, scorer: ScorerLike, previous: Map<string, Float32Array>): void {
    bp.keys.forEach((key, i) => {
      if (w.results.has(key)) return;
      const p = previous.get(key) ?? scorer.cachedWindow(key);
      if (p) w.results.set(key, p);
      else w.queue.push({ key, ids: bp.ids[i], offset: block.offset });
    });
  }

  /** Puts the windows in the visible ranges first (stable: the rest stay in document order). */
  private order(w: DocWork): void {
    if (w.visible.length === 0) return;
    const shown = (offset: number) => {
      const b = w.plan ? blockAt(w.plan, offset) : -1;
      const end = b < 0 ? offset : offset + w.plan!.blocks[b].text.length;
      return w.visible.some((r) => offset <= r.end && end >= r.start);
    };
    const rest = w.queue.slice(w.next);
    w.queue = [...rest.filter((p) => shown(p.offset)), ...rest.filter((p) => !shown(p.offset))];
    w.next = 0;
    const blocks = w.unplanned.slice(w.nextBlock);
    w.unplanned = [...blocks.filter((b) => shown(b.offset)), ...blocks.filter((b) => !shown(b.offset))];
    w.nextBlock = 0;
  }

  /** Blocks to tokenize or windows to score are left in the current plan. */
  private pendingLeft(w: DocWork): boolean {
    for (let i = w.nextBlock; i < w.unplanned.length; i++) if (!w.unplanned[i].plan) return true;
    for (let i = w.next; i < w.queue.length; i++) if (!w.results.has(w.queue[i].key)) return true;
    return false;
  }

  /** What a slice would do for `w` now: nothing, score windows, or plan/complete the current version. */
  private hasWork(w: DocWork, now: number): boolean {
    const doc = this.documents.get(w.uri);
    if (!doc || !this.host.scorer) return false;
    if (w.generation !== this.host.generation) return now >= w.readyAt;
    if (this.pendingLeft(w)) return true;
    if (now < w.readyAt || w.failedVersion === doc.version) return false;
    if (w.planVersion !== doc.version) return true;
    return !(w.complete && w.complete.version === doc.version && w.completeGeneration === this.host.generation);
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    clearTimeout(this.wakeTimer);
    setImmediate(() => void this.loop());
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        const w = this.nextDocument();
        if (!w) break;
        try {
          await this.slice(w);
        } catch (e) {
          const doc = this.documents.get(w.uri);
          if (doc) [w.failedVersion, w.failure] = [doc.version, e as Error];
          if (!(e instanceof NoCheckpointError)) this.events.onError(w.uri, e as Error);
          this.wake();
        }
        await new Promise((r) => setImmediate(r)); // let requests and edits in
      }
    } finally {
      this.running = false;
    }
    // Documents waiting for the end of a typing burst: come back when the first is due.
    const due = [...this.docs.values()].filter((w) => this.documents.get(w.uri) && this.host.scorer).map((w) => w.readyAt);
    const later = due.filter((t) => t > performance.now());
    if (later.length > 0) this.wakeTimer = setTimeout(() => this.kick(), Math.max(0, Math.min(...later) - performance.now()) + 1);
  }

  /** The next document with work, round robin. */
  private nextDocument(): DocWork | undefined {
    const all = [...this.docs.values()];
    const now = performance.now();
    for (let i = 0; i < all.length; i++) {
      const w = all[(this.turn + i) % all.length];
      if (this.hasWork(w, now)) {
        this.turn = (this.turn + i + 1) % all.length;
        return w;
      }
    }
    return undefined;
  }

  /** One slice of work on `w`: a batch of windows, or the completion of its current version. */
  private async slice(w: DocWork): Promise<void> {
    const doc = this.documents.get(w.uri);
    const scorer = this.host.scorer;
    if (!doc || !scorer) return;
    const generation = this.host.generation;
    if (performance.now() >= w.readyAt || w.generation !== generation) this.plan(w, doc, scorer);
    // Blocks new to the plan first, for a while: their windows join the queue.
    const until = performance.now() + PLAN_SLICE_MS;
    let plannedSome = false;
    while (w.nextBlock < w.unplanned.length && performance.now() < until) {
      const block = w.unplanned[w.nextBlock++];
      if (!block.plan) {
        this.blockPlan(w, block, scorer);
        plannedSome = true;
      }
    }
    if (plannedSome && w.nextBlock < w.unplanned.length) return;
    const batch: Pending[] = [];
    const taken = new Set<string>();
    while (w.next < w.queue.length && batch.length < this.windowsPerSlice) {
      const p = w.queue[w.next++];
      if (!w.results.has(p.key) && !taken.has(p.key)) {
        const cached = scorer.cachedWindow(p.key);
        if (cached) w.results.set(p.key, cached);
        else {
          batch.push(p);
          taken.add(p.key);
        }
      }
    }
    if (batch.length > 0) {
      await this.compute(w, batch, generation);
      return;
    }
    if (w.planVersion !== doc.version || !w.plan || performance.now() < w.readyAt) return;
    this.finish(w, w.plan, doc, scorer);
  }

  /** Every window of the current version is scored: assemble its tokens and hand them on. */
  private finish(w: DocWork, plan: DocumentPlan, doc: TextDocument, scorer: ScorerLike): void {
    // A window taken by a slice whose scorer went away meanwhile goes back in the queue.
    let windowCount = 0;
    for (const block of plan.blocks) {
      const bp = this.blockPlan(w, block, scorer);
      windowCount += bp.windows.length;
      bp.keys.forEach((key, i) => {
        if (!this.probabilities(w, scorer, key)) w.queue.push({ key, ids: bp.ids[i], offset: block.offset });
      });
    }
    if (this.pendingLeft(w)) return;
    this.stats.scorings++;
    this.stats.windowsFromCache += Math.max(0, windowCount - w.computedSince);
    w.computedSince = 0;
    w.complete = new DocumentScore(w.uri, doc.version, plan.text, scorer.checkpointStep, plan, w.results);
    w.completeGeneration = w.generation;
    this.events.onComplete(w.complete);
    this.wake();
  }
}
