import { resolve } from 'node:path';
import { parseLocation } from '../azure/locations.js';
import { baseContribution, FEATURE_CONTRIBUTIONS } from '../base.js';
import { ValidationError } from '../exit-codes.js';
import { PATTERNS, sortPatternIds } from '../patterns/index.js';
import { type JsonValue, type PatternContribution, type PatternDefinition, type PatternId, type ProjectInfo, type TemplateFile } from '../patterns/types.js';
import { GENERATOR } from '../version.js';
import { composeContributions, type ComposedContribution } from './compose.js';
import { azureSlug, parseProjectName } from './project-name.js';

/**
 * What the user asked for, after flags, answers file, defaults and prompts were merged, before validation.
 * This is also what the manifest records, so the same app can be generated again.
 */
export interface Answers {
  name: string;
  location: string;
  patterns: Partial<Record<PatternId, Record<string, unknown>>>;
}

export interface SelectedPattern {
  definition: PatternDefinition;
  options: Record<string, JsonValue>;
}

/** A validated, complete description of the app: rendering it cannot fail on user input. */
export interface Plan {
  targetDir: string;
  project: ProjectInfo;
  patterns: SelectedPattern[];
  contribution: ComposedContribution;
  /** The validated answers, as recorded in the manifest. */
  answers: { name: string; location: string; patterns: Partial<Record<PatternId, Record<string, JsonValue>>> };
  generator: typeof GENERATOR;
}

/** Validates every answer and composes the app; throws ValidationError naming the answer at fault. */
export function buildPlan(answers: Answers, targetDir: string): Plan {
  const name = field('name', () => parseProjectName(answers.name));
  const location = field('location', () => parseLocation(answers.location));
  const project: ProjectInfo = { name, slug: azureSlug(name), location };

  const ids = sortPatternIds(Object.keys(answers.patterns) as PatternId[]);
  const patterns = ids.map((id) => selectPattern(PATTERNS[id], answers.patterns[id] ?? {}));
  const contributions: PatternContribution[] = [baseContribution(), ...patterns.map((p) => withOwnOptions(p, project))];
  // Features are added once each, until no contribution asks for one that is missing.
  const added = new Set<string>();
  for (let i = 0; i < contributions.length; i++) {
    for (const feature of contributions[i]!.features) {
      if (added.has(feature)) continue;
      added.add(feature);
      contributions.push(FEATURE_CONTRIBUTIONS[feature]());
    }
  }

  return {
    targetDir: resolve(targetDir),
    project,
    patterns,
    contribution: composeContributions(contributions),
    answers: { name, location, patterns: Object.fromEntries(patterns.map((p) => [p.definition.id, p.options])) },
    generator: GENERATOR,
  };
}

function selectPattern(definition: PatternDefinition, raw: Record<string, unknown>): SelectedPattern {
  const unknown = Object.keys(raw).filter((key) => !(key in definition.options));
  if (unknown.length > 0) {
    const known = Object.keys(definition.options);
    throw new ValidationError(
      `unknown option${unknown.length > 1 ? 's' : ''} for ${definition.id}: ${unknown.join(', ')}` +
        (known.length ? ` (known: ${known.join(', ')})` : ' (it has no options)'),
    );
  }
  const options = Object.fromEntries(
    Object.entries(definition.options).map(([key, spec]) => {
      const input = raw[key];
      return [key, input === undefined ? spec.defaultValue : field(spec.flag.split(' ')[0]!, () => spec.parse(input))];
    }),
  );
  field(definition.id, () => definition.validate?.(options));
  return { definition, options };
}

/** A pattern's templates (its infra modules' too) see its own validated options as `options`. */
function withOwnOptions({ definition, options }: SelectedPattern, project: ProjectInfo): PatternContribution {
  const contribution = definition.contribute(options, project);
  const files: TemplateFile[] = [...contribution.files, ...contribution.infraModules.map(({ template, path }) => ({ template, path }))];
  return { ...contribution, files: files.map((file) => ({ ...file, data: { options, ...file.data } })) };
}

/** Prefixes a validation failure with the flag or answer it came from. */
function field<T>(label: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`${label}: ${error.message}`);
    throw error;
  }
}
