/** The byte order mark Windows editors (Notepad) may put in front of a UTF-8 file they save. */
export const BOM = '\uFEFF';

/** The text without the byte order mark in front, which JSON parsers refuse and the Functions host reads past. */
export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}
