import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/problem.js';
import { apiRequest } from '../support/http.js';
import { audiencesIn, entraIdAuthorizer, tenantIdIn } from '../../src/auth/entra-id.js';
import { AUDIENCE, bearer, CLIENT_ID, foreignKey, TENANT_ID, testAuthorizer } from '../support/tokens.js';

const SCOPE = 'things.read';

async function authorizeWith(authorization: string | undefined, scope = SCOPE): Promise<HttpError | undefined> {
  const authorize = await testAuthorizer();
  const request = apiRequest('GET', '/api/things', { headers: authorization === undefined ? {} : { authorization } });
  try {
    await authorize(request, scope);
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
}

describe('Entra ID bearer tokens', () => {
  it('accepts a valid token carrying the scope among its delegated scopes', async () => {
    expect(await authorizeWith(await bearer({ scp: 'other.scope things.read' }))).toBeUndefined();
  });

  it('accepts an application token carrying the scope as an app role', async () => {
    expect(await authorizeWith(await bearer({ roles: ['things.read'] }))).toBeUndefined();
  });

  it('accepts a v1.0 token, issued to the App ID URI by the v1 endpoint of the same tenant', async () => {
    expect(await authorizeWith(await bearer({ scp: SCOPE }, { issuer: `https://sts.windows.net/${TENANT_ID}/`, audience: AUDIENCE }))).toBeUndefined();
  });

  it('accepts a v2.0 token, issued to the client id', async () => {
    expect(await authorizeWith(await bearer({ scp: SCOPE }, { audience: CLIENT_ID }))).toBeUndefined();
  });

  it('reads one audience or several, comma-separated, from ENTRA_API_AUDIENCE', () => {
    expect(audiencesIn('api://contoso/orders-api')).toEqual(['api://contoso/orders-api']);
    expect(audiencesIn(` api://contoso/orders-api , ${CLIENT_ID},`)).toEqual(['api://contoso/orders-api', CLIENT_ID]);
    expect(audiencesIn(undefined)).toEqual([]);
  });

  // Tokens name their tenant by its id in lower case; a setting typed from the portal in upper case, or the tenant's
  // domain, would have every token refused on its issuer.
  it('takes ENTRA_TENANT_ID in any case, and refuses a tenant domain in its place', async () => {
    expect(tenantIdIn(` ${TENANT_ID.toUpperCase()} `)).toBe(TENANT_ID);
    expect(() => tenantIdIn('contoso.onmicrosoft.com')).toThrow('ENTRA_TENANT_ID must be the tenant id (a GUID), not "contoso.onmicrosoft.com"');
    expect(() => tenantIdIn(undefined)).toThrow('ENTRA_TENANT_ID must be the tenant id (a GUID), not ""');
    const authorize = await testAuthorizer(TENANT_ID.toUpperCase());
    await expect(authorize(apiRequest('GET', '/api/things', { headers: { authorization: await bearer({ scp: SCOPE }) } }), SCOPE)).resolves.toBeUndefined();
  });

  it('answers 401 with a Bearer challenge when no token is sent', async () => {
    const error = await authorizeWith(undefined);
    expect(error?.status).toBe(401);
    expect(error?.options.headers?.['WWW-Authenticate']).toBe('Bearer realm="api"');
  });

  it('answers 401 for another authentication scheme', async () => {
    expect((await authorizeWith('Basic dXNlcjpwYXNz'))?.status).toBe(401);
  });

  it('answers 401 invalid_token for an expired token', async () => {
    const error = await authorizeWith(await bearer({ scp: SCOPE }, { expiresAt: Math.floor(Date.now() / 1000) - 3600 }));
    expect(error?.status).toBe(401);
    expect(error?.detail).toContain('expired');
    expect(error?.options.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('answers 401 for a token without an expiry, which would otherwise be valid for ever', async () => {
    const error = await authorizeWith(await bearer({ scp: SCOPE }, { expiresAt: null }));
    expect(error?.status).toBe(401);
    expect(error?.detail).toContain('"exp"');
  });

  // An ID token is signed with the same keys, and a v2.0 one's audience is the client id, which the API may accept.
  it('answers 401 for an ID token, even one issued to the client id with the app role among its roles', async () => {
    for (const issuer of [undefined, `https://sts.windows.net/${TENANT_ID}/`]) {
      const error = await authorizeWith(await bearer({ roles: [SCOPE] }, { issuer, audience: CLIENT_ID, idToken: true }));
      expect(error?.status, issuer).toBe(401);
      expect(error?.detail).toBe('The access token is not valid: it names no client ("azp" or "appid"), as an ID token does.');
      expect(error?.options.headers?.['WWW-Authenticate']).toContain('error="invalid_token"');
    }
  });

  it('answers 401 for a token issued to another audience', async () => {
    const error = await authorizeWith(await bearer({ scp: SCOPE }, { audience: 'api://someone-else' }));
    expect(error?.status).toBe(401);
    expect(error?.detail).toContain('"aud"');
    // One well-formed challenge: the quotes around the claim name must not end error_description early.
    expect(error?.options.headers?.['WWW-Authenticate']).toBe(`Bearer realm="api", error="invalid_token", error_description="the 'aud' claim is not accepted"`);
  });

  it('answers 401 for a token from another tenant', async () => {
    const error = await authorizeWith(await bearer({ scp: SCOPE }, { issuer: 'https://login.microsoftonline.com/another-tenant/v2.0' }));
    expect(error?.status).toBe(401);
    expect(error?.detail).toContain('"iss"');
  });

  it('answers 401 for a token signed with a key the tenant never published', async () => {
    const error = await authorizeWith(await bearer({ scp: SCOPE }, { key: await foreignKey() }));
    expect(error?.status).toBe(401);
    expect(error?.detail).toContain('signature');
  });

  it('answers 401 for a token that is not a JWT', async () => {
    expect((await authorizeWith('Bearer not-a-token'))?.status).toBe(401);
  });

  it('lets a failure to fetch the signing keys through as a server error, not a 401', async () => {
    const authorize = entraIdAuthorizer({ tenantId: TENANT_ID, audiences: [AUDIENCE] }, async () => {
      throw new Error('getaddrinfo ENOTFOUND login.microsoftonline.com');
    });
    const request = apiRequest('GET', '/api/things', { headers: { authorization: await bearer({ scp: SCOPE }) } });
    await expect(authorize(request, SCOPE)).rejects.toThrow('ENOTFOUND');
  });

  it('answers 403 insufficient_scope for a valid token without the scope', async () => {
    const error = await authorizeWith(await bearer({ scp: 'things.write', roles: ['other.role'] }));
    expect(error?.status).toBe(403);
    expect(error?.options.headers?.['WWW-Authenticate']).toBe(`Bearer realm="api", error="insufficient_scope", scope="${SCOPE}"`);
  });
});
