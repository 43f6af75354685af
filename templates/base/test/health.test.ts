import { app, HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it, vi } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { health } from '../src/functions/health.js';

const probe = (method: string) =>
  health(new HttpRequest({ method, url: 'http://localhost/api/health' }), new InvocationContext({ invocationId: 'health-test', functionName: 'health' }));

describe('GET /health', () => {
  it('answers 200 with the app name, version and invocation id', async () => {
    const response = await probe('GET');

    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'Cache-Control': 'no-store' });
    expect(response.jsonBody).toEqual({ status: 'ok', name: packageJson.name, version: packageJson.version, invocationId: 'health-test' });
  });

  it('answers HEAD, the method load balancer probes use, with the same status and no body', async () => {
    const http = vi.spyOn(app, 'http').mockImplementation(() => undefined);
    try {
      // A fresh copy of the module, so its registration runs again under the spy.
      await import(/* @vite-ignore */ `${new URL('../src/functions/health.ts', import.meta.url).href}?registration`);
      expect(http).toHaveBeenCalledWith('health', expect.objectContaining({ methods: ['GET', 'HEAD'], route: 'health' }));
    } finally {
      http.mockRestore();
    }

    const response = await probe('HEAD');
    expect(response.status).toBe(200);
    expect(response.jsonBody ?? response.body).toBeUndefined();
  });
});
