import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type HandlebarsModule from 'handlebars';
// Bundled with the CLI; the full compiler (several times larger) loads only for a template the build did not compile.
import handlebarsRuntime from 'handlebars/runtime';
import { filesUnder, TEMPLATES_DIR } from '../templates-dir.js';
import { escapeHelpers } from './escape.js';

// scripts/precompile-templates.mjs reads the templates from where the engine does.
export { TEMPLATES_DIR };

type Handlebars = typeof HandlebarsModule;
type TemplateSpec = Parameters<Handlebars['template']>[0];

/** What `scripts/precompile-templates.mjs` writes next to the build: each `.hbs` file's compiled spec and source hash. */
export type PrecompiledTemplates = Record<string, { sha1: string; spec: TemplateSpec }>;

/** Compile options every template and partial gets: output is never HTML, and a missing key is a template bug. */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

const require = createRequire(import.meta.url);

/** The Handlebars environment and the templates, compiled once per process. */
export interface TemplateEngine {
  render(template: string, context: Record<string, unknown>): string;
  /** Makes a template usable as `{{> name}}` (name = its path without `.hbs`) when it is not under `partials/`. */
  ensurePartial(name: string): void;
}

let engine: TemplateEngine | undefined;

/**
 * The build precompiles every template, so a published CLI loads only the small Handlebars runtime and
 * skips compiling (most of the time a generation takes otherwise). A template whose source differs from
 * what was precompiled (edited after the build, or run from sources) is compiled with the full library.
 */
export function templateEngine(helpers: Record<string, HandlebarsModule.HelperDelegate>): TemplateEngine {
  if (engine) return engine;
  const sources = new Map(templatePaths().map((path) => [path, readFileSync(join(TEMPLATES_DIR, path), 'utf8')]));
  const precompiled = loadPrecompiled();
  // Templates outside templates/ (test fixtures) are never precompiled, so they are never in this set.
  const fresh = new Set([...sources].filter(([path, source]) => precompiled[path]?.sha1 === sha1(source)).map(([path]) => path));
  const allFresh = fresh.size === sources.size;
  const handlebars = allFresh ? (handlebarsRuntime as Handlebars) : (require('handlebars') as Handlebars);
  const env = handlebars.create();
  env.registerHelper({ ...escapeHelpers, ...helpers });

  const compiled = new Map<string, HandlebarsModule.TemplateDelegate>();
  const compile = (path: string) => {
    let delegate = compiled.get(path);
    if (!delegate) {
      if (fresh.has(path)) delegate = env.template(precompiled[path]!.spec);
      else if (allFresh) throw new Error(`template bug: ${path} was not precompiled by the build`);
      // Test fixtures live outside templates/: they are read when first used.
      else delegate = env.compile(sources.get(path) ?? readFileSync(join(TEMPLATES_DIR, path), 'utf8'), COMPILE_OPTIONS);
      compiled.set(path, delegate);
    }
    return delegate;
  };
  // Partials are files under any `partials/` folder, named by their path without `.hbs`.
  const registerPartial = (path: string) => env.registerPartial(path.replace(/\.hbs$/, ''), compile(path));
  for (const path of sources.keys()) if (path.split('/').includes('partials')) registerPartial(path);

  engine = {
    ensurePartial: (name) => {
      if (!env.partials[name]) registerPartial(`${name}.hbs`);
    },
    render: (template, context) =>
      template.endsWith('.hbs') ? compile(template)(context) : readFileSync(join(TEMPLATES_DIR, template), 'utf8'),
  };
  return engine;
}

/** Every `.hbs` file under templates/, as a path relative to it with `/` separators. */
export function templatePaths(): string[] {
  return filesUnder(TEMPLATES_DIR).filter((path) => path.endsWith('.hbs'));
}

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

function loadPrecompiled(): PrecompiledTemplates {
  try {
    // Next to this module once built: the build bundles it into dist/, where the templates are precompiled to.
    return require('./templates.precompiled.cjs') as PrecompiledTemplates;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return {};
    throw error;
  }
}
