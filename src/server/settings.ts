/**
 * The server's settings, read once: from `initializationOptions` at start-up, then from the
 * `electraStudio` configuration section on every workspace/didChangeConfiguration.
 * Key names and shapes live in src/shared/lspProtocol.ts.
 */
import {
  ANNOTATION_SEVERITIES,
  type AnnotationSeverity,
  type ElectraSettingsSection,
  type InitializationOptions,
} from '../shared/lspProtocol';
import { SETTING_DEFAULTS } from '../shared/defaults';

export interface ServerSettings {
  /**
   * The user's explicit threshold; null is "auto": the model's calibration, else the default
   * (the rule: thresholdInUse, src/shared/calibrationFormat.ts).
   */
  threshold: number | null;
  severity: AnnotationSeverity;
  /** Lower-cased. */
  ignoredWords: ReadonlySet<string>;
  /** Diagnostics per document at most; the most likely replaced tokens are kept. */
  maxDiagnostics: number;
  checkpointPath?: string;
  /** Folders holding run folders (see checkpointRule.ts). */
  runsRoots: string[];
  /** The shipped base model (initializationOptions.baseModel), if the client names one. */
  baseModel?: string;
  backend: NonNullable<InitializationOptions['backend']>;
  /** false: load nothing from the workspace until the client selects a checkpoint. */
  workspaceTrusted: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  threshold: SETTING_DEFAULTS['annotation.threshold'],
  severity: SETTING_DEFAULTS['annotation.severity'],
  ignoredWords: new Set(SETTING_DEFAULTS['annotation.ignoredWords']),
  maxDiagnostics: SETTING_DEFAULTS['annotation.maxDiagnostics'],
  runsRoots: [],
  backend: SETTING_DEFAULTS.backend,
  workspaceTrusted: true,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Settings with `threshold`, `severity`, `ignoredWords` and `maxDiagnostics` replaced where `o` holds valid values. */
function withAnnotation(base: ServerSettings, o: Record<string, unknown>): ServerSettings {
  const next = { ...base };
  if (typeof o.threshold === 'number' && Number.isFinite(o.threshold) && o.threshold >= 0 && o.threshold <= 1) next.threshold = o.threshold;
  else if (o.threshold === null) next.threshold = null;
  if (typeof o.severity === 'string' && (ANNOTATION_SEVERITIES as readonly string[]).includes(o.severity)) {
    next.severity = o.severity as AnnotationSeverity;
  }
  if (typeof o.maxDiagnostics === 'number' && Number.isInteger(o.maxDiagnostics) && o.maxDiagnostics >= 0) next.maxDiagnostics = o.maxDiagnostics;
  if (Array.isArray(o.ignoredWords)) {
    next.ignoredWords = new Set(o.ignoredWords.filter((w): w is string => typeof w === 'string').map((w) => w.toLowerCase()));
  }
  return next;
}

export function settingsFromInitializationOptions(options: unknown): ServerSettings {
  if (!isObject(options)) return DEFAULT_SETTINGS;
  const s = withAnnotation(DEFAULT_SETTINGS, options);
  if (typeof options.checkpointPath === 'string' && options.checkpointPath !== '') s.checkpointPath = options.checkpointPath;
  if (Array.isArray(options.runsRoots)) s.runsRoots = options.runsRoots.filter((r): r is string => typeof r === 'string' && r !== '');
  if (typeof options.baseModel === 'string' && options.baseModel !== '') s.baseModel = options.baseModel;
  if (typeof options.backend === 'string') s.backend = options.backend as ServerSettings['backend'];
  if (options.workspaceTrusted === false) s.workspaceTrusted = false;
  return s;
}

/** Applies an `electraStudio` configuration section (see ElectraSettingsSection); unknown keys are ignored. */
export function applySettingsSection(base: ServerSettings, section: unknown): ServerSettings {
  if (!isObject(section)) return base;
  const annotation = (section as ElectraSettingsSection).annotation;
  return isObject(annotation) ? withAnnotation(base, annotation) : base;
}
