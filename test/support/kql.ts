import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { LOG_ANALYTICS_TABLES } from './log-analytics-schema.js';

/* The Kusto language service is C# compiled to JavaScript with Bridge.NET: two scripts that define the
   globals `Bridge`, `System` and `Kusto`. It has no module entry that works in ESM, so the scripts run in
   this context once; the types below cover the few members used here. */
interface Diagnostic {
  Severity: string;
  Message: string;
  Start: number;
}
interface KustoGlobals {
  Kusto: {
    Language: {
      Symbols: {
        TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => unknown };
        DatabaseSymbol: { $ctor3: new (name: string, alternateName: string | null, members: unknown, isOpen: boolean) => unknown };
      };
      GlobalState: { Default: { WithDatabase(database: unknown): unknown } };
      KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): { Count: number; getItem(index: number): Diagnostic } } };
    };
  };
  Bridge: { toList(items: unknown[]): unknown };
}

let globals: unknown;

function kusto(): KustoGlobals {
  const scope = globalThis as unknown as KustoGlobals;
  if (!globals) {
    const packageDir = dirname(createRequire(import.meta.url).resolve('@kusto/language-service-next/package.json'));
    for (const script of ['bridge.min.js', 'Kusto.Language.Bridge.min.js']) {
      vm.runInThisContext(readFileSync(join(packageDir, script), 'utf8'), { filename: script });
    }
    const { Symbols, GlobalState } = scope.Kusto.Language;
    const tables = Object.entries(LOG_ANALYTICS_TABLES).map(([name, schema]) => new Symbols.TableSymbol.$ctor7(name, schema, null));
    const workspace = new Symbols.DatabaseSymbol.$ctor3('workspace', null, scope.Bridge.toList(tables), false);
    globals = GlobalState.Default.WithDatabase(workspace);
  }
  return scope;
}

/**
 * Parses and analyses a query against the Log Analytics tables and returns its errors and warnings, e.g.
 * "The name 'Sucess' does not refer to any known column…". An empty list means the query is valid.
 */
export function kqlProblems(query: string): string[] {
  const code = kusto().Kusto.Language.KustoCode.ParseAndAnalyze(query, globals);
  const diagnostics = code.GetDiagnostics();
  const problems: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const diagnostic = diagnostics.getItem(i);
    if (diagnostic.Severity === 'Error' || diagnostic.Severity === 'Warning') {
      problems.push(`${diagnostic.Severity} at ${diagnostic.Start}: ${diagnostic.Message}`);
    }
  }
  return problems;
}
