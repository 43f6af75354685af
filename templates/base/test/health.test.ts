import { HttpRequest, InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { health } from '../src/functions/health.js';

describe('GET /health', () => {
  it('answers 200 with the app name, version and invocation id', async () => {
    const request = new HttpRequest({ method: 'GET', url: 'http://localhost/api/health' });
    const context = new InvocationContext({ invocationId: 'health-test', functionName: 'health' });

    const response = await health(request, context);

    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'Cache-Control': 'no-store' });
    expect(response.jsonBody).toEqual({ status: 'ok', name: packageJson.name, version: packageJson.version, invocationId: 'health-test' });
  });
});
