/**
 * Edits a user makes to a generated app that the next `add` cannot merge on its own, for the tests of how
 * conflicts are reported and settled.
 */

const APP_SETTINGS_BLOCK = /^ {4}appSettings: \{\n[\s\S]*?^ {4}\}$/m;

/** main.bicep's app settings, moved by the user into a variable of theirs. */
export const OWN_APP_SETTINGS = '    appSettings: appSettingsOfThePlatform';

/**
 * The user replaced the app settings written out in main.bicep with a variable of theirs. Every new pattern adds
 * its settings between those lines, so adding one is a conflict on that line.
 */
export function moveAppSettingsIntoVariable(mainBicep: string): string {
  if (!APP_SETTINGS_BLOCK.test(mainBicep)) throw new Error('main.bicep has no app settings block to move');
  return mainBicep.replace(APP_SETTINGS_BLOCK, OWN_APP_SETTINGS);
}

/** The 1-based number of the line that is exactly `line`, as conflict messages name it. */
export function lineNumberOf(text: string, line: string): number {
  const index = text.split('\n').indexOf(line);
  if (index < 0) throw new Error(`no line ${JSON.stringify(line)}`);
  return index + 1;
}
