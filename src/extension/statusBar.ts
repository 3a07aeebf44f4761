/**
 * The status bar item: while training, the newest step, loss and tokens/s of the runs and
 * the backend; otherwise the checkpoint the language server scores with (its run and step,
 * and in the tooltip its folder and why it is the one). Clicking opens the dashboard.
 */
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { CHECKPOINT_SOURCE_TEXT, type StatusParams } from '../shared/lspProtocol';
import type { Trainer } from './trainer';

/** "run-name · step 97" for `<run>/checkpoints/step-00000097`; the folder name for anything else. */
export function checkpointLabel(dir: string | undefined, step: number | undefined): string {
  if (!dir) return step !== undefined ? `step ${step}` : '';
  const parent = dirname(dir);
  const run = basename(parent) === 'checkpoints' ? basename(dirname(parent)) : basename(dir);
  return `${run} · step ${step ?? '?'}`;
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return `${Math.round(n)}`;
}

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private server: StatusParams = { state: 'no-checkpoint' };

  constructor(private readonly trainer: Trainer) {
    this.item = vscode.window.createStatusBarItem('electraStudio.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'ELECTRA Training';
    this.item.command = 'electraStudio.openDashboard';
    this.update();
    this.item.show();
  }

  setServerStatus(s: StatusParams): void {
    this.server = s;
    this.update();
  }

  update(): void {
    const sessions = this.trainer.running;
    const tooltip = new vscode.MarkdownString('', true);
    if (sessions.length === 0) {
      const s = this.server;
      const label = checkpointLabel(s.checkpointDir, s.checkpointStep);
      this.item.text =
        s.state === 'ready' ? `$(beaker) ELECTRA ${label}` : s.state === 'loading' ? '$(loading~spin) ELECTRA' : s.state === 'error' ? '$(warning) ELECTRA' : '$(beaker) ELECTRA';
      const scoring = s.checkpointDir
        ? `Scoring with \`${s.checkpointDir}\` (step ${s.checkpointStep ?? '?'})${s.source ? `: ${CHECKPOINT_SOURCE_TEXT[s.source]}` : ''}.`
        : 'No checkpoint loaded for scoring.';
      tooltip.appendMarkdown(`**ELECTRA** — not training\n\nLanguage server: ${s.state}. ${scoring}${s.message ? `\n\n${s.message}` : ''}\n\nClick to open the training dashboard.`);
      this.item.tooltip = tooltip;
      return;
    }
    // The most recently started run leads the text; the tooltip lists all.
    const lead = sessions[sessions.length - 1];
    const m = lead.lastStep;
    const runs = sessions.length > 1 ? `${sessions.length} runs · ` : '';
    const stepText = m ? `step ${m.step}${lead.targetSteps && !lead.targetMinutes ? `/${lead.targetSteps}` : ''} · loss ${m.loss.toFixed(3)} · ${compact(m.tokensPerSec)} tok/s` : lead.state === 'scanning' ? 'scanning' : 'preparing';
    const icon = lead.state === 'stopping' ? '$(debug-stop)' : '$(sync~spin)';
    this.item.text = `${icon} ELECTRA ${runs}${stepText}${lead.backend ? ` · ${lead.backend}` : ''}`;
    tooltip.appendMarkdown('**ELECTRA** — training\n\n');
    for (const s of sessions) {
      const l = s.lastStep;
      tooltip.appendMarkdown(
        `- \`${s.runName}\` (${s.state}${s.backend ? `, ${s.backend}` : ''}): ` +
          (l ? `step ${l.step}, loss ${l.loss.toFixed(4)}, disc. acc. ${l.discAccuracy.toFixed(3)}, ${compact(l.tokensPerSec)} tokens/s` : 'starting') +
          '\n',
      );
    }
    const sv = this.server;
    if (sv.checkpointDir) tooltip.appendMarkdown(`\nScoring with ${checkpointLabel(sv.checkpointDir, sv.checkpointStep)}${sv.source ? `: ${CHECKPOINT_SOURCE_TEXT[sv.source]}` : ''}.\n`);
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    this.item.dispose();
  }
}
