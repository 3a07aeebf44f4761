/**
 * Which checkpoint the language server scores with: the one the user selected (kept in
 * workspace state), else the newest run that has a checkpoint, else the base model that
 * ships with the extension (models/base), so that a new workspace is annotated at once.
 * A run folder means "its latest checkpoint, following new ones"; a step-NNNNNNNN folder
 * pins one checkpoint.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { newestCheckpointedRun } from './runs';
import { runsRootOf } from './workspaceRuns';

const STATE_KEY = 'electraStudio.selectedCheckpoint';

export class CheckpointSelection {
  constructor(
    private readonly state: vscode.Memento,
    /** The shipped base model's folder, used when the workspace has no run (absent if not shipped). */
    readonly baseModel?: string,
  ) {}

  /** The user's choice, if it still exists. */
  get selected(): string | undefined {
    const p = this.state.get<string>(STATE_KEY);
    return p && existsSync(p) ? p : undefined;
  }

  async select(path: string | undefined): Promise<void> {
    await this.state.update(STATE_KEY, path);
  }

  /** The selected checkpoint, or the newest checkpointed run of the workspace folders, or the base model. */
  async effective(): Promise<string | undefined> {
    const chosen = this.selected;
    if (chosen) return chosen;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const run = await newestCheckpointedRun(runsRootOf(folder));
      if (run) return run.dir;
    }
    return this.baseModel && existsSync(this.baseModel) ? this.baseModel : undefined;
  }
}
