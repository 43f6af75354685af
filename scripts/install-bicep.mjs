#!/usr/bin/env node
// Installs the real Bicep CLI into .tools/bin/bicep from NuGet (Azure.Bicep.CommandLine.linux-x64) with
// `dotnet restore`. Tests that compile generated infra use it; without it they skip (or fail under CI).
//   node scripts/install-bicep.mjs            install if dotnet is there, otherwise explain and exit 0
//   node scripts/install-bicep.mjs --required fail when it cannot be installed (used by .ci/run)
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const project = join(root, 'tools/bicep/BicepCli.csproj');
const version = /<BicepVersion>([^<]+)</.exec(readFileSync(project, 'utf8'))[1];
const packages = join(root, '.tools/nuget');
const binary = join(packages, 'azure.bicep.commandline.linux-x64', version, 'tools/bicep');
const link = join(root, '.tools/bin/bicep');
const required = process.argv.includes('--required');

function fail(message) {
  console.error(`bicep: ${message}`);
  process.exit(required ? 1 : 0);
}

if (process.platform !== 'linux' || process.arch !== 'x64') fail(`the NuGet package ships linux-x64 only; install Bicep yourself and set BICEP_PATH`);

if (!existsSync(binary)) {
  try {
    execFileSync('dotnet', ['--version'], { stdio: 'ignore' });
  } catch {
    fail('the .NET SDK (dotnet) is not installed, so the Bicep CLI cannot be restored from NuGet; Bicep tests will skip');
  }
  console.log(`bicep: restoring Azure.Bicep.CommandLine.linux-x64 ${version} from NuGet…`);
  execFileSync('dotnet', ['restore', project, '--packages', packages, '--nologo', '--verbosity', 'quiet'], { stdio: 'inherit' });
}
chmodSync(binary, 0o755);
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(binary, link);
const reported = execFileSync(link, ['--version'], { env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' } }).toString().trim();
console.log(`bicep: ${reported} at .tools/bin/bicep`);
