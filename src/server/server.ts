/**
 * The ELECTRA language server: a separate Node process started by the extension through
 * vscode-languageclient (`--node-ipc` or `--stdio`). It scores open documents with the
 * selected checkpoint and offers diagnostics, hovers, quick fixes and the custom requests
 * of src/shared/lspProtocol.ts. This file wires the pieces; each lives in its own module.
 */
import {
  CodeActionKind,
  createConnection,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { preferredSwaps, wordSpanAround, type Correction } from '../core';
import {
  AlternativesRequest,
  ELECTRA_PROTOCOL_VERSION,
  ScoreDocumentRequest,
  SelectCheckpointNotification,
  SETTINGS_SECTION,
  StatsRequest,
  StatusNotification,
  VisibleRangesNotification,
  type AlternativesResult,
  type ScoreDocumentResult,
} from '../shared/lspProtocol';
import { tokenCodeActions } from './codeActions';
import { documentDiagnostics, flaggedTokens, tokenDiagnostic } from './diagnostics';
import { ProseOfDocuments } from './prose';
import { DocumentRefusedError, refusalDiagnostic } from './documentLimits';
import { coreEngine } from './engine';
import { tokenHover } from './hover';
import { NoCheckpointError, ScorerHost } from './scorerHost';
import { ScoringScheduler, type DocumentScore, type TokenHit } from './scoringScheduler';
import { AlternativesCache } from './alternativesCache';
import { applySettingsSection, DEFAULT_SETTINGS, settingsFromInitializationOptions, type ServerSettings } from './settings';
import { SCORING_DEFAULTS } from '../shared/defaults';
import { thresholdInUse, type ThresholdInUse } from '../shared/calibrationFormat';

/**
 * Debounce of edits while typing: an edit that comes within this time of the previous one
 * waits for a pause this long before the document is scored again.
 */
const EDIT_DEBOUNCE_MS = 150;
/**
 * An isolated edit (the previous one is older than EDIT_DEBOUNCE_MS: a word replaced, a
 * quick fix applied, a paste) is planned at once. Either way the windows the scheduler is
 * working through go on being scored meanwhile (see scoringScheduler.ts).
 */
const ISOLATED_EDIT_DELAY_MS = 0;
const DEFAULT_ALTERNATIVES = SCORING_DEFAULTS.alternatives;
/** A selection over many flagged tokens offers fixes for the first few (each asks the generator). */
const MAX_TOKENS_WITH_FIXES = 5;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: ServerSettings = DEFAULT_SETTINGS;
let canPullConfiguration = false;

const log = (message: string): void => connection.console.log(`[electra] ${message}`);

let host: ScorerHost;
let scores: ScoringScheduler;
const prose = new ProseOfDocuments();

/** The threshold in use now: the user's setting, else the checkpoint's calibration, else the default. */
function threshold(): ThresholdInUse {
  return thresholdInUse(settings.threshold, host?.calibration);
}

function publish(score: DocumentScore): void {
  const doc = documents.get(score.uri);
  if (!doc || doc.version !== score.version) return; // stale: a newer version is on its way
  void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: documentDiagnostics(doc, score, settings, threshold(), prose.of(doc)) });
}

function republishAll(): void {
  for (const doc of documents.all()) {
    const score = scores.latest(doc.uri);
    if (score) publish(score);
  }
}

/** Every token of the document's current version, or a ResponseError a client can show. */
async function completeScores(uri: string, token?: CancellationToken): Promise<DocumentScore | undefined> {
  if (!documents.get(uri)) throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is not open`);
  try {
    return await scores.complete(uri, () => token?.isCancellationRequested ?? false);
  } catch (e) {
    if (e instanceof NoCheckpointError || e instanceof DocumentRefusedError) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    throw e;
  }
}

let alternatives: AlternativesCache;

/** The generator's alternatives for a token, in the window it was scored in. */
function alternativesOf(hit: TokenHit, k: number) {
  return alternatives.get(hit, k);
}

/** The swaps of a flagged token's word with a neighbour that the model prefers (src/core/score/swaps.ts). */
function swapsOf(text: string, hit: TokenHit, threshold: number): Promise<Correction[]> {
  return host.withScorer((scorer) => preferredSwaps(text, wordSpanAround(text, hit.token), threshold, scorer));
}

connection.onInitialize((params): InitializeResult => {
  settings = settingsFromInitializationOptions(params.initializationOptions);
  canPullConfiguration = params.capabilities.workspace?.configuration === true;
  host = new ScorerHost(coreEngine(settings.backend), {
    onStatus: (status) => void connection.sendNotification(StatusNotification, status),
    onScorerChanged: () => {
      // Old diagnostics belong to the old checkpoint: re-score, or clear them when unloaded.
      if (host.scorer) scores?.rescheduleAll();
      else for (const doc of documents.all()) void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
    },
    // A run writes its calibration as it ends, after its last checkpoint was loaded.
    onCalibrationChanged: () => republishAll(),
    log,
  });
  alternatives = new AlternativesCache(host);
  scores = new ScoringScheduler(documents, host, {
    onComplete: publish,
    onError: (uri, e) => {
      const doc = documents.get(uri);
      if (e instanceof DocumentRefusedError) {
        if (doc) void connection.sendDiagnostics({ uri, version: doc.version, diagnostics: [refusalDiagnostic(e)] });
      } else log(`scoring ${uri} failed: ${e.stack ?? e.message}`);
    },
  });
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      experimental: { electraStudio: { protocolVersion: ELECTRA_PROTOCOL_VERSION } },
    },
    serverInfo: { name: 'electra-studio-server', version: String(ELECTRA_PROTOCOL_VERSION) },
  };
});

connection.onInitialized(() => {
  // Checkpoints in an untrusted workspace are untrusted input: neither the selection nor the
  // newest run under the runs roots is loaded until the client's electra/selectCheckpoint.
  host.setBaseModel(settings.baseModel);
  if (settings.workspaceTrusted) void host.select(settings.checkpointPath, settings.runsRoots);
  else {
    log('workspace not trusted: no checkpoint from it is loaded until it is, or until a checkpoint is selected');
    void connection.sendNotification(StatusNotification, { state: 'no-checkpoint', message: 'the workspace is not trusted: no checkpoint from it is loaded' });
  }
});

connection.onDidChangeConfiguration(async (params) => {
  const pushed = (params.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION];
  if (pushed !== undefined) {
    settings = applySettingsSection(settings, pushed);
  } else if (canPullConfiguration) {
    settings = applySettingsSection(settings, await connection.workspace.getConfiguration(SETTINGS_SECTION));
  }
  republishAll();
});

connection.onNotification(SelectCheckpointNotification, (params) => {
  void host.select(params.path, params.runsRoots?.filter((r) => typeof r === 'string' && r !== ''));
});

/** When each open document last changed (performance.now()). */
const lastChange = new Map<string, number>();
documents.onDidChangeContent(({ document }) => {
  // The first content of a document is scored at once, an isolated edit almost at once,
  // and edits in quick succession (typing) after a pause.
  const now = performance.now();
  const previous = lastChange.get(document.uri);
  lastChange.set(document.uri, now);
  const delay = previous === undefined ? 0 : now - previous < EDIT_DEBOUNCE_MS ? EDIT_DEBOUNCE_MS : ISOLATED_EDIT_DELAY_MS;
  scores.changed(document.uri, delay);
});
documents.onDidClose(({ document }) => {
  lastChange.delete(document.uri);
  scores.forget(document.uri);
  prose.forget(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

connection.onNotification(VisibleRangesNotification, ({ uri, ranges }) => {
  const doc = documents.get(uri);
  if (doc) scores.setVisible(uri, ranges.map((r) => ({ start: doc.offsetAt(r.start), end: doc.offsetAt(r.end) })));
});

// Hovers and code actions are answered from the windows scored so far, scoring only the
// window(s) they touch when those are missing: never a pass over the whole document.
connection.onHover(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || !host.scorer) return null;
  const cancelled = () => token.isCancellationRequested;
  const hit = await scores.tokenAt(doc.uri, doc.offsetAt(params.position), cancelled).catch(() => undefined);
  if (!hit || cancelled()) return null;
  const found = await alternativesOf(hit, DEFAULT_ALTERNATIVES).catch(() => undefined);
  if (!found || cancelled()) return null;
  const latest = documents.get(doc.uri);
  const current = latest?.version === hit.version;
  const hover = tokenHover(doc, hit.token, found, hit.checkpointStep, threshold(), !current || prose.of(latest)(hit.token.start, hit.token.end));
  // Offsets of an older version would mark the wrong text: then the hover goes without a range.
  if (!current) delete hover.range;
  return hover;
});

connection.onCodeAction(async (params, token) => {
  const doc = documents.get(params.textDocument.uri);
  if (!doc || !host.scorer) return null;
  const electraAsked = params.context.only === undefined || params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k));
  if (!electraAsked) return null;
  // Fixes belong to the version they were asked for: a newer edit (or the client's
  // cancellation, sent when the cursor moves on) makes the rest of the work useless.
  const version = doc.version;
  const outdated = () => token.isCancellationRequested || documents.get(doc.uri)?.version !== version;
  const hits = await scores.tokensIn(doc.uri, doc.offsetAt(params.range.start), doc.offsetAt(params.range.end), outdated).catch(() => undefined);
  if (!hits || outdated()) return null;
  const text = doc.getText();
  const flagged = flaggedTokens(
    text,
    hits.map((h) => h.token),
    settings,
    threshold().value,
    prose.of(doc),
  );
  const actions: CodeAction[] = [];
  // Both words of a swapped pair are flagged and find the same swap: it is offered once.
  const swapsOffered = new Set<string>();
  for (const hit of hits.filter((h) => flagged.includes(h.token)).slice(0, MAX_TOKENS_WITH_FIXES)) {
    const found = await alternativesOf(hit, DEFAULT_ALTERNATIVES).catch(() => []);
    if (outdated()) return null;
    const swaps = (await swapsOf(text, hit, threshold().value).catch(() => [])).filter((c) => {
      const key = `${c.edit.start}:${c.edit.end}:${c.edit.newText}`;
      return !swapsOffered.has(key) && !!swapsOffered.add(key);
    });
    if (outdated()) return null;
    const diagnostic = tokenDiagnostic(doc, text, hit.token, hit.checkpointStep, settings);
    actions.push(...tokenCodeActions(doc, hit.token, found, diagnostic, swaps));
  }
  return actions;
});

connection.onRequest(ScoreDocumentRequest, async (params, token): Promise<ScoreDocumentResult> => {
  const score = await completeScores(params.uri, token);
  if (!score) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled or closed');
  const isProse = prose.ofVersion(score.uri, documents.get(score.uri)?.languageId ?? '', score.version, () => score.text);
  return {
    uri: score.uri,
    version: score.version,
    checkpointStep: score.checkpointStep,
    threshold: threshold(),
    tokens: score.tokens.map((t) => {
      const token = { start: t.start, end: t.end, piece: t.piece, p: t.pReplaced };
      return isProse(t.start, t.end) ? token : { ...token, markup: true as const };
    }),
  };
});

connection.onRequest(AlternativesRequest, async (params): Promise<AlternativesResult | null> => {
  if (!documents.get(params.uri)) throw new ResponseError(LSPErrorCodes.RequestFailed, `${params.uri} is not open`);
  let hit: TokenHit | undefined;
  try {
    hit = await scores.tokenAt(params.uri, params.offset);
  } catch (e) {
    if (e instanceof NoCheckpointError || e instanceof DocumentRefusedError) throw new ResponseError(LSPErrorCodes.RequestFailed, e.message);
    throw e;
  }
  if (!hit) return null;
  const found = await alternativesOf(hit, params.k ?? DEFAULT_ALTERNATIVES);
  const t = hit.token;
  return {
    start: t.start,
    end: t.end,
    piece: t.piece,
    p: t.pReplaced,
    alternatives: found.map((a) => ({ piece: a.piece, probability: a.probability })),
  };
});

connection.onRequest(StatsRequest, () => ({
  ...scores.stats,
  checkpointStep: host.scorer?.checkpointStep,
  checkpointDir: host.scorer?.checkpointDir,
}));

connection.onShutdown(() => {
  host?.dispose();
});

documents.listen(connection);
connection.listen();
