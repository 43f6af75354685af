import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';
// Bundled with the CLI; the full compiler (several times larger) loads only when rendering from sources.
import handlebarsRuntime from 'handlebars/runtime';
import { filesUnder, templateFilesUnder, templatePack, templateText, TEMPLATES_DIR } from '../templates-dir.js';
import { TEMPLATE_HELPERS } from './helpers.js';

// scripts/pack-templates.mjs reads the templates from where the engine does.
export { filesUnder, TEMPLATES_DIR };

type Handlebars = typeof HandlebarsModule;

/**
 * Compile options every template and partial gets: output is never HTML, a missing key is a template bug, and
 * helpers are called directly, only those of TEMPLATE_HELPERS.
 */
export const COMPILE_OPTIONS = {
  noEscape: true,
  strict: true,
  knownHelpers: Object.fromEntries(Object.keys(TEMPLATE_HELPERS).map((name) => [name, true])),
  knownHelpersOnly: true,
} as const;

const require = createRequire(import.meta.url);

/** The Handlebars environment and the templates, compiled once per process. */
export interface TemplateEngine {
  render(template: string, context: Record<string, unknown>): string;
  /** Makes a template usable as `{{> name}}` (name = its path without `.hbs`) when it is not under `partials/`. */
  ensurePartial(name: string): void;
}

let engine: TemplateEngine | undefined;

/**
 * The build precompiles every template into its pack, so the published CLI loads only the small Handlebars
 * runtime and never compiles (compiling was most of a generation's time). From sources, templates are compiled
 * with the full library.
 */
export function templateEngine(): TemplateEngine {
  if (engine) return engine;
  const pack = templatePack();
  const handlebars = pack ? (handlebarsRuntime as Handlebars) : (require('handlebars') as Handlebars);
  const env = handlebars.create();
  env.registerHelper(TEMPLATE_HELPERS);

  const compiled = new Map<string, HandlebarsModule.TemplateDelegate>();
  const compile = (path: string) => {
    let delegate = compiled.get(path);
    if (!delegate) {
      if (pack) {
        const entry = pack[path];
        if (!entry || !('spec' in entry)) throw new Error(`template bug: ${path} is not a precompiled template of the build's pack`);
        delegate = env.template(entry.spec);
      } else {
        delegate = env.compile(templateText(path), COMPILE_OPTIONS);
      }
      compiled.set(path, delegate);
    }
    return delegate;
  };
  // Partials are files under any `partials/` folder, named by their path without `.hbs`.
  const registerPartial = (path: string) => env.registerPartial(path.replace(/\.hbs$/, ''), compile(path));
  for (const path of templatePaths()) if (path.split('/').includes('partials')) registerPartial(path);

  engine = {
    ensurePartial: (name) => {
      if (!env.partials[name]) registerPartial(`${name}.hbs`);
    },
    render: (template, context) => (template.endsWith('.hbs') ? compile(template)(context) : templateText(template)),
  };
  return engine;
}

/** Every `.hbs` file under templates/, as a path relative to it with `/` separators. */
function templatePaths(): string[] {
  return templateFilesUnder('').filter((path) => path.endsWith('.hbs'));
}
