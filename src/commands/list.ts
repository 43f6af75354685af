import { terminalWrap } from '../terminal-wrap.js';
import { PATTERN_IDS, PATTERNS } from '../patterns/index.js';

/** The pattern registry as data: ids, matrix rows and options are a stable, documented contract. */
function describePatterns() {
  return PATTERN_IDS.map((id) => {
    const { title, summary, matrix, options } = PATTERNS[id];
    return {
      id,
      title,
      summary,
      matrix,
      options: Object.entries(options).map(([key, spec]) => ({
        key,
        flag: spec.flag,
        description: spec.description,
        default: spec.defaultValue,
        ...(spec.prompt.kind === 'input' ? {} : { choices: spec.prompt.choices.map((choice) => choice.value) }),
      })),
    };
  });
}

export async function runListCommand(options: { json: boolean }): Promise<void> {
  const patterns = describePatterns();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ patterns }, null, 2)}\n`);
    return;
  }
  const terminal = await terminalWrap(process.stdout);
  const wrap = terminal ?? ((text: string, indent = '') => `${indent}${text}`);
  const lines = ['Patterns (ids are stable across versions):', ''];
  for (const pattern of patterns) {
    const { useCase, scalability, complexity } = pattern.matrix;
    lines.push(wrap(`${pattern.id}  ${pattern.title} — ${useCase} · scalability ${scalability} · complexity ${complexity}`, '', '  '));
    lines.push(wrap(pattern.summary, '    '));
    for (const option of pattern.options) {
      // The default as the flag takes it (`daily at 02:30`, not a JSON object), as --help shows it. The description
      // names the choices, as --help shows them too.
      const spec = PATTERNS[pattern.id].options[option.key]!;
      lines.push(wrap(`${option.flag}  ${option.description} (default: ${JSON.stringify(spec.format(spec.defaultValue))}, answers key: ${option.key})`, '    ', '      '));
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}`);
}
