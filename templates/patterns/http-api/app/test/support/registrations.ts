import { app, type HttpFunctionOptions } from '@azure/functions';
import { vi } from 'vitest';

/** One `app.http(name, options)` call. */
export interface HttpRegistration {
  name: string;
  options: HttpFunctionOptions;
}

let loads = 0;

/**
 * The HTTP functions a function module registers when the host loads it, recorded by spying on `app.http`
 * while a fresh copy of the module runs. Fresh, because test files share one module cache: a module another
 * test already imported would not run (and register) again.
 */
export async function httpRegistrationsOf(functionModule: URL): Promise<HttpRegistration[]> {
  const http = vi.spyOn(app, 'http').mockImplementation(() => undefined);
  try {
    await import(/* @vite-ignore */ `${functionModule.href}?registrations=${++loads}`);
    return http.mock.calls.map(([name, options]) => ({ name, options }));
  } finally {
    http.mockRestore();
  }
}
