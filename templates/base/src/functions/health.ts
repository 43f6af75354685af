import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * Liveness probe for the availability test, load balancers and people: anonymous, cheap, and free of
 * downstream calls so it answers "is the app up", not "is every dependency up".
 */
export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return {
    status: 200,
    headers: { 'Cache-Control': 'no-store' },
    jsonBody: { status: 'ok', name: packageJson.name, version: packageJson.version, invocationId: context.invocationId },
  };
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: health });
