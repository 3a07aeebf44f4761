/**
 * Every `electraStudio.*` setting, read through one typed object: a setting's name
 * appears here and in package.json, nowhere else. Defaults, choices and bounds come from
 * src/shared/defaults.ts (package.json is checked against it by test/unit/defaults.test.ts).
 */
import * as vscode from 'vscode';
import {
  ANNOTATION_SEVERITIES,
  BACKEND_PREFERENCES,
  PRESET_NAMES,
  SETTING_DEFAULTS as DEFAULT,
  SETTING_LIMITS,
  type AnnotationSeverity,
  type BackendPreference,
  type PresetName,
  type SettingKey,
} from '../shared/defaults';

export const SECTION = 'electraStudio';

export interface AnnotationSettings {
  /** Tokens whose probability of being replaced is at least this are flagged; null: auto (the model's calibration, else the default). */
  threshold: number | null;
  languages: string[];
  severity: AnnotationSeverity;
  ignoredWords: string[];
  /** Diagnostics per document at most; the most likely replaced tokens are kept. */
  maxDiagnostics: number;
}

export interface ElectraSettings {
  preset: PresetName;
  steps: number;
  /** 0: train for `steps` instead. */
  minutes: number;
  include: string[];
  exclude: string[];
  backend: BackendPreference;
  /** Data-parallel threads per training step; 0 means TRAINING_DEFAULTS.workers ('auto': one per core). */
  workers: number;
  maxFileBytes: number;
  runFolder: string;
  /** Continue pre-training from this model: a run name, a run/checkpoint folder or Hugging Face folders; '' from scratch. */
  startFrom: string;
  confirmBeforeTraining: boolean;
  annotation: AnnotationSettings;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}
function strings(value: unknown, fallback: readonly string[]): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [...fallback];
}
/** A number setting: its default when missing or below its minimum, at most its maximum. */
function number(value: unknown, key: SettingKey, fallback: number): number {
  const { minimum = -Infinity, maximum = Infinity } = SETTING_LIMITS[key] ?? {};
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum ? Math.min(maximum, value) : fallback;
}

/** A number setting that may be unset (null: auto); out-of-bounds or mistyped values count as unset. */
function optionalNumber(value: unknown, key: SettingKey): number | null {
  const { minimum = -Infinity, maximum = Infinity } = SETTING_LIMITS[key] ?? {};
  return typeof value === 'number' && Number.isFinite(value) && value >= minimum && value <= maximum ? value : null;
}

/** The settings for `scope` (a workspace folder or document), or the window's. */
export function readSettings(scope?: vscode.ConfigurationScope): ElectraSettings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return {
    preset: oneOf(c.get('preset'), PRESET_NAMES, DEFAULT.preset),
    steps: Math.floor(number(c.get('steps'), 'steps', DEFAULT.steps)),
    minutes: number(c.get('minutes'), 'minutes', DEFAULT.minutes),
    include: strings(c.get('include'), DEFAULT.include),
    exclude: strings(c.get('exclude'), DEFAULT.exclude),
    backend: oneOf(c.get('backend'), BACKEND_PREFERENCES, DEFAULT.backend),
    workers: Math.floor(number(c.get('workers'), 'workers', DEFAULT.workers)),
    maxFileBytes: Math.floor(number(c.get('maxFileBytes'), 'maxFileBytes', DEFAULT.maxFileBytes)),
    runFolder: (c.get<string>('runFolder') ?? '').trim() || DEFAULT.runFolder,
    startFrom: (c.get<string>('startFrom') ?? DEFAULT.startFrom).trim(),
    confirmBeforeTraining: c.get<boolean>('confirmBeforeTraining') ?? DEFAULT.confirmBeforeTraining,
    annotation: {
      threshold: optionalNumber(c.get('annotation.threshold'), 'annotation.threshold'),
      languages: strings(c.get('annotation.languages'), DEFAULT['annotation.languages']),
      severity: oneOf(c.get('annotation.severity'), ANNOTATION_SEVERITIES, DEFAULT['annotation.severity']),
      ignoredWords: strings(c.get('annotation.ignoredWords'), DEFAULT['annotation.ignoredWords']),
      maxDiagnostics: Math.floor(number(c.get('annotation.maxDiagnostics'), 'annotation.maxDiagnostics', DEFAULT['annotation.maxDiagnostics'])),
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
