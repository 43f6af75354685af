import { FEATURES, type AppSetting, type Feature, type InfraModule, type JsonObject, type LogAlert, type PatternContribution, type TemplateFile } from '../patterns/types.js';
import { DEPENDENCY_VERSIONS, type DependencyName } from '../versions.js';
import { deepMerge } from './json-merge.js';

/** A contribution with the data its templates render with (a pattern's own options and matrix row). */
export type OwnedContribution = PatternContribution & { templateData?: Record<string, unknown> };

/** The union of the base project's and every selected pattern's contributions. */
export interface ComposedContribution {
  files: TemplateFile[];
  infraModules: InfraModule[];
  appSettings: AppSetting[];
  hostJson: JsonObject;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  alerts: LogAlert[];
  features: Record<Feature, boolean>;
  /** Each pattern's README section: its partial and the data it renders with (its options, its matrix row). */
  readmeSections: { partial: string; data: Record<string, unknown> }[];
  nextSteps: string[];
  notices: string[];
  costNotes: string[];
}

/**
 * Composition is where two patterns could step on each other (same file, same Bicep symbol, same setting
 * with different values). Any such clash is a bug in the registry, so it fails loudly here.
 */
export function composeContributions(contributions: readonly OwnedContribution[]): ComposedContribution {
  const all = <T>(pick: (c: PatternContribution) => readonly T[]) => contributions.flatMap(pick);

  return {
    files: uniqueBy(all((c) => c.files), (file) => file.path, 'generated file'),
    infraModules: uniqueBy(all((c) => c.infraModules), (module) => module.symbol, 'infra module'),
    appSettings: mergeAppSettings(all((c) => c.appSettings)),
    hostJson: contributions.reduce<JsonObject>((merged, c) => deepMerge(merged, c.hostJson), {}),
    dependencies: pinned(all((c) => c.dependencies)),
    devDependencies: pinned(all((c) => c.devDependencies)),
    alerts: uniqueBy(all((c) => c.alerts), (alert) => alert.id, 'alert'),
    features: Object.fromEntries(FEATURES.map((feature) => [feature, all((c) => c.features).includes(feature)])) as Record<Feature, boolean>,
    readmeSections: contributions.flatMap((c) => (c.readmePartial ? [{ partial: c.readmePartial, data: c.templateData ?? {} }] : [])),
    nextSteps: [...new Set(all((c) => c.nextSteps))],
    notices: all((c) => c.notices),
    costNotes: [...new Set(all((c) => c.costNotes))],
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string, what: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    const id = key(item);
    if (seen.has(id)) throw new Error(`two contributions declare the same ${what} "${id}"`);
    seen.add(id);
  }
  return [...items];
}

/** The same setting may be declared by several patterns (e.g. a shared table), but only identically. */
function mergeAppSettings(settings: readonly AppSetting[]): AppSetting[] {
  const byName = new Map<string, AppSetting>();
  for (const setting of settings) {
    const existing = byName.get(setting.name);
    if (existing && JSON.stringify(existing) !== JSON.stringify(setting)) {
      throw new Error(`app setting "${setting.name}" is declared twice with different values`);
    }
    byName.set(setting.name, setting);
  }
  return [...byName.values()];
}

function pinned(names: readonly DependencyName[]): Record<string, string> {
  return Object.fromEntries([...new Set(names)].sort().map((name) => [name, DEPENDENCY_VERSIONS[name]]));
}
