import type wrapAnsiFunction from 'wrap-ansi';

/**
 * Wraps text at word boundaries to a terminal's width, which would otherwise break a long line mid-word at its edge:
 * `indent` starts the first line, `hanging` (default: `indent`) the further ones.
 */
export type TerminalWrap = (text: string, indent?: string, hanging?: string) => string;

/** Wrapping to `columns`, with wrap-ansi (ANSI colours take no width). */
export function hangingWrap(wrapAnsi: typeof wrapAnsiFunction, columns: number): TerminalWrap {
  return (text, indent = '', hanging = indent) => {
    const width = Math.max(20, columns - Math.max(indent.length, hanging.length) - 1);
    const [first = '', ...rest] = wrapAnsi(text, width, { hard: false }).split('\n');
    return [`${indent}${first}`, ...rest.map((line) => `${hanging}${line}`)].join('\n');
  };
}

/** Wrapping for `output`; undefined where it is no terminal. wrap-ansi loads only then: a pipeline never wraps. */
export async function terminalWrap(output: NodeJS.WriteStream): Promise<TerminalWrap | undefined> {
  const { columns } = output;
  if (!output.isTTY || !columns) return undefined;
  return hangingWrap((await import('wrap-ansi')).default, columns);
}
