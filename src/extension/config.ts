/**
 * Every `electraStudio.*` setting, read through one typed object: a setting's name
 * appears here and in package.json, nowhere else.
 */
import * as vscode from 'vscode';
import type { PresetName } from '../core';
import type { BackendPreference } from '../core';

export const SECTION = 'electraStudio';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface AnnotationSettings {
  /** Tokens whose probability of being replaced is at least this are flagged. */
  threshold: number;
  languages: string[];
  severity: Severity;
  ignoredWords: string[];
}

export interface ElectraSettings {
  preset: PresetName;
  steps: number;
  /** 0: train for `steps` instead. */
  minutes: number;
  include: string[];
  exclude: string[];
  backend: BackendPreference;
  /** Data-parallel threads per training step; 0 means one per core ('auto'). */
  workers: number;
  maxFileBytes: number;
  runFolder: string;
  /** Continue pre-training from this model: a run name, a run/checkpoint folder or Hugging Face folders; '' from scratch. */
  startFrom: string;
  confirmBeforeTraining: boolean;
  annotation: AnnotationSettings;
}

const PRESETS: readonly PresetName[] = ['micro', 'tiny', 'small', 'base'];
const BACKENDS: readonly BackendPreference[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
function strings(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : fallback;
}
function number(value: unknown, fallback: number, min = 0): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fallback;
}

/** The settings for `scope` (a workspace folder or document), or the window's. */
export function readSettings(scope?: vscode.ConfigurationScope): ElectraSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    preset: oneOf(c.get('preset'), PRESETS, 'tiny'),
    steps: Math.floor(number(c.get('steps'), 1000, 1)),
    minutes: number(c.get('minutes'), 0),
    include: strings(c.get('include'), []),
    exclude: strings(c.get('exclude'), []),
    backend: oneOf(c.get('backend'), BACKENDS, 'auto'),
    workers: Math.floor(number(c.get('workers'), 0)),
    maxFileBytes: Math.floor(number(c.get('maxFileBytes'), 1_048_576, 1)),
    runFolder: (c.get<string>('runFolder') ?? '').trim() || '.electra/runs',
    startFrom: (c.get<string>('startFrom') ?? '').trim(),
    confirmBeforeTraining: c.get<boolean>('confirmBeforeTraining') ?? true,
    annotation: {
      threshold: Math.min(1, number(c.get('annotation.threshold'), 0.5)),
      languages: strings(c.get('annotation.languages'), ['plaintext', 'markdown']),
      severity: oneOf(c.get('annotation.severity'), SEVERITIES, 'information'),
      ignoredWords: strings(c.get('annotation.ignoredWords'), []),
    },
  };
}

/** Adds `word` to the workspace's electraStudio.annotation.ignoredWords. */
export async function addIgnoredWord(word: string): Promise<void> {
  const c = vscode.workspace.getConfiguration(SECTION);
  const current = strings(c.inspect('annotation.ignoredWords')?.workspaceValue, []);
  if (current.includes(word)) return;
  await c.update('annotation.ignoredWords', [...current, word].sort(), vscode.ConfigurationTarget.Workspace);
}

export function affects(e: vscode.ConfigurationChangeEvent, key: string): boolean {
  return e.affectsConfiguration(`${SECTION}.${key}`);
}
