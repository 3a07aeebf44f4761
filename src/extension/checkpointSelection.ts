/**
 * The checkpoint the user selected for scoring, kept in workspace state: a run folder
 * (its latest checkpoint, following new ones) or a step-NNNNNNNN folder (pinned). Without
 * a selection the language server follows the newest checkpoint of the newest run under
 * the workspace's run folders: the rule lives in src/server/checkpointRule.ts.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';

const STATE_KEY = 'electraStudio.selectedCheckpoint';

export class CheckpointSelection {
  constructor(private readonly state: vscode.Memento) {}

  /** The user's choice, if it still exists. */
  get selected(): string | undefined {
    const p = this.state.get<string>(STATE_KEY);
    return p && existsSync(p) ? p : undefined;
  }

  async select(path: string | undefined): Promise<void> {
    await this.state.update(STATE_KEY, path);
  }
}
