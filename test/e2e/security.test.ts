import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTree, renderPlan } from '../../src/engine/render.js';
import { duplicateDeclarations } from '../support/arm-resources.js';
import { checkArmTemplate, formatViolations } from '../support/arm-security.js';
import { bicepMissing, buildBicepPattern } from '../support/bicep.js';
import { scratchDir } from '../support/generated-app.js';
import { defaultPlan, PATTERN_SUBSETS, subsetName } from '../support/subsets.js';

// Every combination of patterns, not just each alone and all together: a rule can break only when two
// patterns meet (a shared setting, a role assigned twice). Rendering is in-process and only the infra is
// written, and one `bicep build --pattern` compiles all of them instead of one compiler start per app.
const root = scratchDir('security');
const subsets = PATTERN_SUBSETS.map((patterns) => ({ name: subsetName(patterns), patterns }));

describe.skipIf(bicepMissing)('security rules over every pattern combination', () => {
  beforeAll(async () => {
    for (const { name, patterns } of subsets) {
      const tree = renderPlan(defaultPlan(patterns, join(root, name)));
      // The whole app, since a module may load files from outside infra/ (loadTextContent of shipped queries).
      for (const path of tree.paths) {
        mkdirSync(dirname(join(root, name, path)), { recursive: true });
        writeFileSync(join(root, name, path), readTree(tree, path));
      }
    }
    const build = await buildBicepPattern(`${root}/*/infra/main.bicep`);
    expect(build.diagnostics).toEqual([]);
    expect(build.status).toBe(0);
  });

  it.each(subsets)('$name: compiled infra passes every rule', ({ name }) => {
    const template = JSON.parse(readFileSync(join(root, name, 'infra/main.json'), 'utf8')) as Record<string, unknown>;
    expect(formatViolations(checkArmTemplate(template))).toBe('');
  });

  // Two modules declaring one resource send Azure two competing PUTs of it; the last one wins.
  it.each(subsets)('$name: every resource is declared by one module only', ({ name }) => {
    const template = JSON.parse(readFileSync(join(root, name, 'infra/main.json'), 'utf8')) as Record<string, unknown>;
    expect(duplicateDeclarations(template)).toEqual([]);
  });

  // CI runs PSRule on infra/ci.bicepparam: it must compile against main.bicep whatever the patterns.
  it('the CI parameters file compiles for every combination', async () => {
    const build = await buildBicepPattern(`${root}/*/infra/ci.bicepparam`, 'build-params');
    expect(build.diagnostics).toEqual([]);
    expect(build.status).toBe(0);
    for (const { name } of subsets) expect(existsSync(join(root, name, 'infra/ci.json')), name).toBe(true);
  });
});
