/**
 * The runs of the open workspace folders: each folder's electraStudio.runFolder, listed
 * together. A run's id is its folder name, prefixed with the workspace folder's name when
 * several folders are open.
 */
import * as vscode from 'vscode';
import { readSettings } from './config';
import { listRuns, runsRoot, type RunInfo } from './runs';

export interface WorkspaceRun extends RunInfo {
  id: string;
  folder: vscode.WorkspaceFolder;
}

/** The folder runs go to: the active editor's workspace folder, else the first. */
export function primaryFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) || vscode.workspace.workspaceFolders?.[0];
}

export function runsRootOf(folder: vscode.WorkspaceFolder): string {
  return runsRoot(folder.uri.fsPath, readSettings(folder).runFolder);
}

/** The run folders of every workspace folder: where the language server looks for the newest run. */
export function workspaceRunsRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map(runsRootOf);
}

export async function listWorkspaceRuns(): Promise<WorkspaceRun[]> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const lists = await Promise.all(
    folders.map(async (folder) =>
      (await listRuns(runsRootOf(folder))).map((r) => ({ ...r, folder, id: folders.length > 1 ? `${folder.name}/${r.name}` : r.name })),
    ),
  );
  return lists.flat().sort((a, b) => b.updated - a.updated);
}
