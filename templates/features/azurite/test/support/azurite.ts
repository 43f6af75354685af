import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Azurite's fixed development account (public, documented, only valid against the emulator). */
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const SERVICES = ['Blob', 'Queue', 'Table'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the Azurite instance started for this test run. */
    azuriteConnectionString: string;
  }
}

/**
 * Starts one in-memory Azurite on ports the OS picks, so parallel runs and a developer's own Azurite
 * never collide, and stops it after the run. Telemetry is off: tests must not reach the network. Silent: a line
 * per request would cost Azurite and this process time for output nobody reads.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = spawn(
    process.execPath,
    [azuriteBin(), '--inMemoryPersistence', '--silent', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--blobPort', '0', '--queuePort', '0', '--tablePort', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ports = await listeningPorts(azurite);
  const endpoints = SERVICES.map((service) => `${service}Endpoint=http://127.0.0.1:${ports[service]}/${ACCOUNT}`).join(';');
  project.provide('azuriteConnectionString', `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};${endpoints};`);

  return async () => {
    azurite.kill();
    await new Promise((resolve) => azurite.once('exit', resolve));
  };
}

function azuriteBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
}

/** Reads "Azurite Blob service is successfully listening at http://127.0.0.1:PORT" for each service. */
function listeningPorts(azurite: ChildProcess): Promise<Record<(typeof SERVICES)[number], number>> {
  return new Promise((resolve, reject) => {
    const ports: Partial<Record<(typeof SERVICES)[number], number>> = {};
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 20 s:\n${output}`)), 20_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      azurite.kill();
      reject(error);
    };
    const collect = (chunk: Buffer) => (output += chunk.toString());
    const exited = (code: number | null) => fail(new Error(`Azurite exited with code ${code}:\n${output}`));
    const readPorts = (chunk: Buffer) => {
      collect(chunk);
      for (const match of output.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/g)) {
        ports[match[1] as (typeof SERVICES)[number]] = Number(match[2]);
      }
      if (SERVICES.every((service) => ports[service])) {
        clearTimeout(timer);
        // Started: stop keeping its output, which would grow for as long as a watch session runs, but keep
        // draining the pipes so that Azurite never blocks on a full one.
        azurite.stdout!.off('data', readPorts).resume();
        azurite.stderr!.off('data', collect).resume();
        azurite.off('exit', exited);
        resolve(ports as Record<(typeof SERVICES)[number], number>);
      }
    };
    azurite.stdout!.on('data', readPorts);
    azurite.stderr!.on('data', collect);
    azurite.once('exit', exited);
  });
}
