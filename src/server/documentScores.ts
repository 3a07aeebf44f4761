/**
 * Scores of open documents, kept per document version.
 *
 * A document is scored by one Scorer.score call on its whole text. The Scorer cuts the text
 * into windows that follow its paragraphs, caches window results by their token ids (so an
 * edit recomputes only the windows it touched), and yields to the message loop between
 * batches of windows. The server aborts a scoring as soon as the document gets a newer
 * version or the checkpoint changes: such results are stale and never published.
 */
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TokenScore } from '../core';
import { checkDocumentLimits } from './documentLimits';
import { NoCheckpointError, type ScorerHost } from './scorerHost';

export interface DocumentScore {
  uri: string;
  version: number;
  /** The text that was scored (alternatives are asked in the same text). */
  text: string;
  checkpointStep: number;
  /** UTF-16 offsets into `text`, sorted by start. */
  tokens: TokenScore[];
}

interface Job {
  version: number;
  generation: number;
  abort: AbortController;
  promise: Promise<DocumentScore | undefined>;
}

interface DocState {
  result?: DocumentScore & { generation: number };
  job?: Job;
  timer?: NodeJS.Timeout;
}

export interface ScoringStats {
  /** Scorer.score calls that finished. */
  scorings: number;
  /** Windows the Scorer computed, and windows it took from its cache, over those calls. */
  windowsComputed: number;
  windowsFromCache: number;
  /** Scorings abandoned because the document or the checkpoint changed. */
  abandoned: number;
  /** Milliseconds spent in the finished scorings (Scorer.score calls), summed. */
  scoringMs: number;
}

const isAbort = (e: unknown) => e instanceof Error && e.name === 'AbortError';

export class DocumentScores {
  private states = new Map<string, DocState>();
  readonly stats: ScoringStats = { scorings: 0, windowsComputed: 0, windowsFromCache: 0, abandoned: 0, scoringMs: 0 };

  constructor(
    private readonly documents: TextDocuments<TextDocument>,
    private readonly host: ScorerHost,
    /** Called with fresh scores of the document's current version. */
    private readonly onScored: (score: DocumentScore) => void,
    private readonly onError: (uri: string, error: Error) => void,
  ) {}

  /**
   * Scores `uri` after `delayMs` (restarted by every call: the debounce of edits). A scoring
   * of an older version still running is abandoned now.
   */
  schedule(uri: string, delayMs: number): void {
    const state = this.state(uri);
    const version = this.documents.get(uri)?.version;
    if (state.job && state.job.version !== version) state.job.abort.abort();
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      // Scores this version only: a newer one has its own timer (the debounce of typing),
      // so a scoring overtaken by an edit is not chased to the new version here.
      const overtaken = () => this.documents.get(uri)?.version !== version;
      this.current(uri, overtaken).then(
        (score) => {
          if (score) this.onScored(score);
        },
        (e: Error) => this.onError(uri, e),
      );
    }, delayMs);
  }

  /** Re-scores every open document (after the checkpoint changed). */
  rescheduleAll(): void {
    for (const doc of this.documents.all()) this.schedule(doc.uri, 0);
  }

  forget(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    clearTimeout(state.timer);
    state.job?.abort.abort();
    this.states.delete(uri);
  }

  /** The latest finished scores of `uri` under the current checkpoint, whatever their version. */
  latest(uri: string): DocumentScore | undefined {
    const r = this.states.get(uri)?.result;
    return r && r.generation === this.host.generation ? r : undefined;
  }

  /**
   * Scores of the document's current version, waiting for a running scoring or starting one.
   * Resolves undefined if the document is closed or `isCancelled` turns true; throws
   * NoCheckpointError when no checkpoint is loaded.
   */
  async current(uri: string, isCancelled: () => boolean = () => false): Promise<DocumentScore | undefined> {
    for (;;) {
      const doc = this.documents.get(uri);
      if (!doc || isCancelled()) return undefined;
      const state = this.state(uri);
      const gen = this.host.generation;
      if (state.result && state.result.version === doc.version && state.result.generation === gen) return state.result;
      if (!state.job || state.job.version !== doc.version || state.job.generation !== gen) {
        state.job?.abort.abort();
        const abort = new AbortController();
        const job: Job = { version: doc.version, generation: gen, abort, promise: this.run(doc, gen, abort.signal) };
        state.job = job;
        void job.promise
          .finally(() => {
            if (state.job === job) state.job = undefined;
          })
          .catch(() => undefined);
      }
      const result = await state.job.promise;
      if (result && result.version === this.documents.get(uri)?.version && this.host.generation === gen) return result;
      // Stale (the document or the checkpoint changed meanwhile): go again for the new version.
    }
  }

  private state(uri: string): DocState {
    let s = this.states.get(uri);
    if (!s) this.states.set(uri, (s = {}));
    return s;
  }

  private async run(doc: TextDocument, generation: number, signal: AbortSignal): Promise<DocumentScore | undefined> {
    const { uri, version } = doc;
    const text = doc.getText();
    const stale = () => signal.aborted || this.documents.get(uri)?.version !== version || this.host.generation !== generation;
    checkDocumentLimits(text);
    if (!this.host.scorer) throw new NoCheckpointError(this.host.status.message);
    let r;
    let ms = 0;
    try {
      r = await this.host.withScorer(async (scorer, gen) => {
        if (gen !== generation || stale()) return undefined;
        const started = performance.now();
        const scored = await scorer.score(text, { signal });
        ms = performance.now() - started;
        return scored;
      });
    } catch (e) {
      if (isAbort(e)) {
        this.stats.abandoned++;
        return undefined;
      }
      throw e;
    }
    if (!r || stale()) {
      this.stats.abandoned++;
      return undefined;
    }
    this.stats.scorings++;
    this.stats.scoringMs += ms;
    this.stats.windowsComputed += r.windowsComputed;
    this.stats.windowsFromCache += r.windowsTotal - r.windowsComputed;
    const result = { uri, version, text, checkpointStep: r.checkpointStep, tokens: r.tokens, generation };
    this.state(uri).result = result;
    return result;
  }
}
