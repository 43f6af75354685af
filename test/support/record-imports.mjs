// Preloaded with `node --import` by the start-up test: records every module URL the CLI resolves.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
    import { appendFileSync } from 'node:fs';
    export async function resolve(specifier, context, next) {
      const result = await next(specifier, context);
      appendFileSync(process.env.RECORD_IMPORTS_TO, result.url + '\\n');
      return result;
    }
  `)}`,
);
