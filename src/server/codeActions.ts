/**
 * Quick fixes for a flagged token: first the corrections its word suggests by its form (the
 * other members of a confusable set, deleting a repeated word; src/core/score/corrections.ts),
 * then the corrections the model was asked about (swapping the word with a neighbour,
 * src/core/score/swaps.ts), then "Replace with '<alt>'" for the generator's best
 * alternatives, and "Ignore '<word>'",
 * which runs IGNORE_WORD_COMMAND (registered by the extension; it adds the word to
 * electraStudio.annotation.ignoredWords).
 */
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { matchCase, suggestedCorrections, wordSpanAround, type Alternative, type Correction, type TokenScore } from '../core';
import { IGNORE_WORD_COMMAND, type IgnoreWordArgs } from '../shared/lspProtocol';
import { isSpecialPiece, pieceText, wordOf } from './tokens';

/** How many "Replace with" fixes per token. */
export const MAX_REPLACEMENTS = 3;

/** Alternatives that can stand where the token stands: same kind of piece, not special, not the token itself. */
export function usableAlternatives(token: TokenScore, alternatives: readonly Alternative[]): Alternative[] {
  const continuation = token.piece.startsWith('##');
  return alternatives.filter(
    (a) =>
      !isSpecialPiece(a.piece) &&
      a.piece.startsWith('##') === continuation &&
      pieceText(a.piece).length > 0 &&
      a.piece.toLowerCase() !== token.piece.toLowerCase(),
  );
}

export function tokenCodeActions(
  doc: TextDocument,
  token: TokenScore,
  alternatives: readonly Alternative[],
  diagnostic: Diagnostic,
  /** Corrections the model has checked for this token (swaps), after the form's own. */
  checked: readonly Correction[] = [],
): CodeAction[] {
  const text = doc.getText();
  const range = { start: doc.positionAt(token.start), end: doc.positionAt(token.end) };
  const original = text.slice(token.start, token.end);
  // Only a token that is a whole word (or a punctuation mark) is replaced: swapping one piece
  // of a longer word ("p" of "publishing") for a whole word would make a new, wrong word.
  const word = wordOf(text, token);
  const wholeWord = word === original;
  const corrections = [...suggestedCorrections(text, wordSpanAround(text, token)), ...checked];
  const offered = new Set(corrections.map((c) => c.edit.newText.toLowerCase()));
  const edits = [
    ...corrections.map((c) => ({ title: c.title, range: { start: doc.positionAt(c.edit.start), end: doc.positionAt(c.edit.end) }, newText: c.edit.newText })),
    ...(wholeWord ? usableAlternatives(token, alternatives) : [])
      .map((a) => matchCase(pieceText(a.piece), original)) // the vocabulary is uncased
      .filter((replacement) => !offered.has(replacement.toLowerCase()))
      .slice(0, MAX_REPLACEMENTS)
      .map((replacement) => ({ title: `Replace with '${replacement}'`, range, newText: replacement })),
  ];
  const actions: CodeAction[] = edits.map((e, i) => ({
    title: e.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: i === 0,
    edit: { changes: { [doc.uri]: [{ range: e.range, newText: e.newText }] } },
  }));
  const args: IgnoreWordArgs = { word };
  actions.push({
    title: `Ignore '${word}'`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title: `Ignore '${word}'`, command: IGNORE_WORD_COMMAND, arguments: [args] },
  });
  return actions;
}
