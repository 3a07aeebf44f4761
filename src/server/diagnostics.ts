/** Diagnostics for tokens the discriminator believes were replaced. */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TokenScore } from '../core';
import { DIAGNOSTIC_CAP_CODE, DIAGNOSTIC_CODE, DIAGNOSTIC_SOURCE, type AnnotationSeverity, type ReplacedTokenData } from '../shared/lspProtocol';
import { describeThreshold, type ThresholdInUse } from '../shared/calibrationFormat';
import type { DocumentScore } from './scoringScheduler';
import type { ProseTest } from './prose';
import type { ServerSettings } from './settings';
import { wordOf } from './tokens';

const SEVERITY: Record<AnnotationSeverity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * Tokens that get a diagnostic: p >= threshold (the one in use: thresholdInUse), in prose (not
 * a Markdown document's code or markup: prose.ts), and the word is not ignored.
 */
export function flaggedTokens(text: string, tokens: readonly TokenScore[], settings: ServerSettings, threshold: number, isProse: ProseTest): TokenScore[] {
  const ignoring = settings.ignoredWords.size > 0;
  return tokens.filter(
    (t) =>
      t.end > t.start &&
      t.pReplaced >= threshold &&
      !(ignoring && settings.ignoredWords.has(wordOf(text, t).toLowerCase())) &&
      isProse(t.start, t.end),
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
 * of them, the most likely replaced kept (as cSpell and ESLint cap theirs), in document
 * order. When the cap applies, one Information diagnostic at the top of the document says so.
 */
export function documentDiagnostics(doc: TextDocument, score: DocumentScore, settings: ServerSettings, threshold: ThresholdInUse, isProse: ProseTest): Diagnostic[] {
  const text = doc.getText();
  const { kept, flagged } = mostLikelyReplaced(flaggedTokens(text, score.tokensAbove(threshold.value), settings, threshold.value, isProse), settings.maxDiagnostics);
  // In document order, as clients list them (and as their squiggles are laid out).
  kept.sort((a, b) => a.start - b.start);
  const diagnostics = kept.map((t) => tokenDiagnostic(doc, text, t, score.checkpointStep, settings));
  if (flagged > kept.length) diagnostics.unshift(capDiagnostic(kept.length, flagged, settings, threshold));
  return diagnostics;
}

/** Histogram bins over [0, 1] that find the probability above which the `limit` most likely tokens lie. */
const BINS = 4096;

/**
 * The `limit` tokens of `flagged` most likely replaced, highest probability first, and how
 * many were flagged. Linear in the tokens: a histogram of their probabilities finds the
 * cut, and only the tokens above it are sorted (a 2 MB document flags 900,000 at a low
 * threshold; sorting them all on every edit would stall the server).
 */
export function mostLikelyReplaced(flagged: readonly TokenScore[], limit: number): { kept: TokenScore[]; flagged: number } {
  const byP = (a: TokenScore, b: TokenScore) => b.pReplaced - a.pReplaced;
  if (flagged.length <= limit) return { kept: [...flagged].sort(byP), flagged: flagged.length };
  const bin = (p: number) => Math.min(BINS - 1, Math.max(0, Math.floor(p * BINS)));
  const counts = new Uint32Array(BINS);
  for (const t of flagged) counts[bin(t.pReplaced)]++;
  let cut = BINS - 1;
  for (let above = counts[cut]; above < limit && cut > 0; above += counts[--cut]);
  const top = flagged.filter((t) => bin(t.pReplaced) >= cut).sort(byP);
  return { kept: top.slice(0, limit), flagged: flagged.length };
}

/** The note that only `shown` of `flagged` tokens have a diagnostic. */
function capDiagnostic(shown: number, flagged: number, settings: ServerSettings, threshold: ThresholdInUse): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: DIAGNOSTIC_SOURCE,
    code: DIAGNOSTIC_CAP_CODE,
    message:
      `ELECTRA flags ${flagged} tokens at or above ${describeThreshold(threshold)} in this document; only the ${shown} most likely replaced are shown ` +
      `(electraStudio.annotation.maxDiagnostics = ${settings.maxDiagnostics}).`,
  };
}
