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

export function runListCommand(options: { json: boolean }): void {
  const patterns = describePatterns();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ patterns }, null, 2)}\n`);
    return;
  }
  const lines = ['Patterns (ids are stable across versions):', ''];
  for (const pattern of patterns) {
    const { useCase, scalability, complexity } = pattern.matrix;
    lines.push(`${pattern.id}  ${pattern.title} — ${useCase} · scalability ${scalability} · complexity ${complexity}`);
    lines.push(`    ${pattern.summary}`);
    for (const option of pattern.options) {
      const choices = option.choices ? ` [${option.choices.join(', ')}]` : '';
      // The default as the flag takes it (`daily at 02:30`, not a JSON object), as --help shows it.
      const spec = PATTERNS[pattern.id].options[option.key]!;
      lines.push(`    ${option.flag}  ${option.description}${choices} (default: ${JSON.stringify(spec.format(spec.defaultValue))}, answers key: ${option.key})`);
    }
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}`);
}
