import type { HttpRequest } from '@azure/functions';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Authorizer } from '../http/crud.js';
import { HttpError } from '../http/problem.js';

export interface EntraIdSettings {
  tenantId: string;
  /**
   * The `aud` values the API accepts: its App ID URI, which v1.0 tokens carry, and its client id, which v2.0 tokens
   * carry (the app registration's accessTokenAcceptedVersion decides which a caller gets).
   */
  audiences: readonly string[];
}

const REALM = 'Bearer realm="api"';

/**
 * Validates Microsoft Entra ID access tokens: RS256 signature against the tenant's keys, issuer (v1 or v2
 * endpoint of that tenant), audience, expiry and not-before (one minute of clock skew), the calling client (which
 * ID tokens do not name), then the scope
 * (`scp`, delegated) or app role (`roles`, application) each route requires. 401 with `WWW-Authenticate`
 * for a missing or invalid token, 403 for a valid token without the scope.
 */
export function entraIdAuthorizer(settings: EntraIdSettings, keys: JWTVerifyGetKey): Authorizer {
  // Tokens name the tenant in lower case, whatever case the setting was typed in.
  const tenantId = settings.tenantId.toLowerCase();
  const issuer = [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`];

  return async (request: HttpRequest, scope: string) => {
    const header = request.headers.get('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new HttpError(401, 'Send an Entra ID access token: Authorization: Bearer <token>.', { headers: { 'WWW-Authenticate': REALM } });

    let payload: JWTPayload;
    try {
      // jose checks `exp` only when present: required, a token without one is refused rather than valid for ever.
      const options = { issuer, audience: [...settings.audiences], algorithms: ['RS256'], clockTolerance: 60, requiredClaims: ['exp'] };
      ({ payload } = await jwtVerify(match[1]!, keys, options));
    } catch (error) {
      const reason = tokenProblem(error);
      // Not the token's fault (the tenant's keys could not be fetched): a 500, logged, not a 401.
      if (reason === undefined) throw error;
      throw invalidToken(reason);
    }
    // An ID token is signed with the same keys, and a v2.0 one's audience is the client id this API may accept: only
    // an access token names the client it was issued to.
    if (typeof payload.azp !== 'string' && typeof payload.appid !== 'string') throw invalidToken('it names no client ("azp" or "appid"), as an ID token does');

    if (!grants(payload).includes(scope)) {
      throw new HttpError(403, `The access token lacks the scope or app role "${scope}".`, {
        headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scope}"` },
      });
    }
  };
}

function invalidToken(reason: string): HttpError {
  return new HttpError(401, `The access token is not valid: ${reason}.`, {
    headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${challengeText(reason)}"` },
  });
}

/** RFC 6750 §3 allows no `"` or `\` in error_description (the claim names in reasons are quoted): they become `'`. */
function challengeText(reason: string): string {
  return reason.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'");
}

/** Delegated scopes (space-separated `scp`) and application roles (`roles`) alike. */
function grants(payload: JWTPayload): string[] {
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((role): role is string => typeof role === 'string') : [];
  return [...scopes, ...roles];
}

/** Which check the token failed, in words fit for the caller (never a stack or key material); undefined if none did. */
function tokenProblem(error: unknown): string | undefined {
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `the "${error.claim}" claim is not accepted`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'its signature does not verify';
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'it is malformed or uses an unsupported algorithm';
  }
  return undefined;
}

let configured: Authorizer | undefined;

/** ENTRA_API_AUDIENCE's audiences: one, or several separated by commas (`api://…/orders-api,<client id>`). */
export function audiencesIn(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((audience) => audience.trim())
    .filter((audience) => audience !== '');
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * ENTRA_TENANT_ID as tokens name the tenant: its id, in lower case. The tenant's domain (contoso.onmicrosoft.com)
 * would find its keys but refuse every token on its issuer, which carries the id: refused here, in words.
 */
export function tenantIdIn(setting: string | undefined): string {
  const tenantId = (setting ?? '').trim().toLowerCase();
  if (!GUID.test(tenantId)) throw new Error(`ENTRA_TENANT_ID must be the tenant id (a GUID), not ${JSON.stringify(setting ?? '')}`);
  return tenantId;
}

/**
 * The app's authorizer, configured from ENTRA_TENANT_ID and ENTRA_API_AUDIENCE on first use. The tenant's
 * signing keys are fetched once per process and refreshed by jose when an unknown key id appears.
 */
export function appAuthorizer(settings: Readonly<Record<string, string | undefined>> = process.env): Authorizer {
  return async (request, scope) => {
    if (!configured) {
      const tenantId = tenantIdIn(settings.ENTRA_TENANT_ID);
      const audiences = audiencesIn(settings.ENTRA_API_AUDIENCE);
      if (audiences.length === 0) throw new Error('ENTRA_API_AUDIENCE must be set for bearer-token authentication');
      const keys = createRemoteJWKSet(new URL(`https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`));
      configured = entraIdAuthorizer({ tenantId, audiences }, keys);
    }
    return configured(request, scope);
  };
}
