/** Diagnostics for tokens the discriminator believes were replaced. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TokenScore } from '../core';
import { DIAGNOSTIC_CAP_CODE, DIAGNOSTIC_CODE, DIAGNOSTIC_SOURCE, type AnnotationSeverity, type ReplacedTokenData } from '../shared/lspProtocol';
import type { DocumentScore } from './scoringScheduler';
import type { ServerSettings } from './settings';
import { wordOf } from './tokens';

const SEVERITY: Record<AnnotationSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Tokens that get a diagnostic: p >= threshold and the word is not ignored. */
export function flaggedTokens(text: string, tokens: readonly TokenScore[], settings: ServerSettings): TokenScore[] {
  return tokens.filter(
    (t) => t.end > t.start && t.pReplaced >= settings.threshold && !settings.ignoredWords.has(wordOf(text, t).toLowerCase()),
  );
}

export function tokenDiagnostic(doc: TextDocument, text: string, token: TokenScore, checkpointStep: number, settings: ServerSettings): Diagnostic {
  const source = text.slice(token.start, token.end);
  const data: ReplacedTokenData = { piece: token.piece, p: token.pReplaced, checkpointStep };
  return {
    range: { start: doc.positionAt(token.start), end: doc.positionAt(token.end) },
    severity: SEVERITY[settings.severity],
    source: DIAGNOSTIC_SOURCE,
    code: DIAGNOSTIC_CODE,
    message: `'${source}' looks replaced (p = ${token.pReplaced.toFixed(2)})`,
    data,
  };
}

/**
 * The diagnostics of a scored document: its flagged tokens, at most settings.maxDiagnostics
 * of them, the most likely replaced first (as cSpell and ESLint cap theirs). When the cap
 * applies, one Information diagnostic at the top of the document says so.
 */
export function documentDiagnostics(doc: TextDocument, score: DocumentScore, settings: ServerSettings): Diagnostic[] {
  const text = doc.getText();
  // Threshold first (cheap), then the most likely replaced first, then the ignored words,
  // which need the word around each token: looked up only until the cap is reached.
  const candidates = score.tokens.filter((t) => t.end > t.start && t.pReplaced >= settings.threshold).sort((a, b) => b.pReplaced - a.pReplaced);
  const ignored = (t: TokenScore) => settings.ignoredWords.size > 0 && settings.ignoredWords.has(wordOf(text, t).toLowerCase());
  const kept: TokenScore[] = [];
  let flagged = 0;
  for (const t of candidates) {
    if (ignored(t)) continue;
    flagged++;
    if (kept.length < settings.maxDiagnostics) kept.push(t);
    else if (settings.ignoredWords.size === 0) {
      flagged = candidates.length;
      break;
    }
  }
  const diagnostics = kept.map((t) => tokenDiagnostic(doc, text, t, score.checkpointStep, settings));
  if (flagged > kept.length) diagnostics.unshift(capDiagnostic(kept.length, flagged, settings));
  return diagnostics;
}

/** The note that only `shown` of `flagged` tokens have a diagnostic. */
function capDiagnostic(shown: number, flagged: number, settings: ServerSettings): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: DIAGNOSTIC_CAP_CODE,
    message:
      `ELECTRA flags ${flagged} tokens at or above ${settings.threshold} in this document; only the ${shown} most likely replaced are shown ` +
      `(electraStudio.annotation.maxDiagnostics = ${settings.maxDiagnostics}).`,
  };
}
