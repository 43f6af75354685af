// Preloaded with `node --import` by the start-up test: records every module URL the CLI resolves, and at exit
// the built-in modules it loaded (`node:child_process`: `require()`d, so no resolve hook sees it).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

process.on('exit', () => {
  // process.moduleLoadList (undocumented, stable since Node 0.x) names each built-in module as it loads.
  const builtins = process.moduleLoadList.filter((entry) => entry.startsWith('NativeModule ')).map((entry) => `node:${entry.slice('NativeModule '.length)}`);
  appendFileSync(process.env.RECORD_IMPORTS_TO, `${builtins.join('\n')}\n`);
});

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
