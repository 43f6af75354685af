import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import packageJson from '../../package.json' with { type: 'json' };

/**
 * Liveness probe for the availability test, load balancers and people: anonymous, cheap, and free of
 * downstream calls so it answers "is the app up", not "is every dependency up". HEAD gets the same answer
 * without a body: Azure Front Door probes with HEAD unless told otherwise.
 */
export async function health(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const headers = { 'Cache-Control': 'no-store' };
  if (request.method === 'HEAD') return { status: 200, headers };
  return {
    status: 200,
    headers,
    jsonBody: { status: 'ok', name: packageJson.name, version: packageJson.version, invocationId: context.invocationId },
  };
}

app.http('health', { methods: ['GET', 'HEAD'], authLevel: 'anonymous', route: 'health', handler: health });
