import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import { entraIdAuthorizer } from '../../src/auth/entra-id.js';
import type { Authorizer } from '../../src/http/crud.js';

// Tokens are signed with keys made here: the tests never reach login.microsoftonline.com.
export const TENANT_ID = '72f988bf-0000-4000-8000-000000000001';
export const AUDIENCE = 'api://test-api';
/** The API's client id: the audience of the v2.0 tokens issued for it. */
export const CLIENT_ID = '0b3c1d2e-0000-4000-8000-000000000002';
export const V2_ISSUER = `https://login.microsoftonline.com/${TENANT_ID}/v2.0`;
/** The calling application's client id, which access tokens name (`azp` in v2.0, `appid` in v1.0) and ID tokens do not. */
export const CALLER_CLIENT_ID = '5d6e7f80-0000-4000-8000-000000000003';
const KEY_ID = 'test-signing-key';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let tenantKeys: Promise<{ privateKey: SigningKey; jwks: JSONWebKeySet }> | undefined;

/** The "tenant's" key pair, made once per test file; its public half is the JWKS the authorizer trusts. */
function keys() {
  tenantKeys ??= (async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    return { privateKey, jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' }] } };
  })();
  return tenantKeys;
}

/** A key pair the tenant never published, for forged tokens. */
export async function foreignKey(): Promise<SigningKey> {
  return (await generateKeyPair('RS256')).privateKey;
}

export async function testAuthorizer(tenantId = TENANT_ID): Promise<Authorizer> {
  return entraIdAuthorizer({ tenantId, audiences: [AUDIENCE, CLIENT_ID] }, createLocalJWKSet((await keys()).jwks));
}

export interface TokenOptions {
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; defaults to ten minutes from now; null leaves the claim out. */
  expiresAt?: number | null;
  key?: SigningKey;
  /** Leaves out the calling client's id (`azp`/`appid`), which only access tokens carry: an ID token. */
  idToken?: boolean;
}

/** An access token as Entra ID would issue it for this API, with the given extra claims. */
export async function token(claims: JWTPayload = {}, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const issuer = options.issuer ?? V2_ISSUER;
  const caller = options.idToken ? {} : issuer.endsWith('/v2.0') ? { azp: CALLER_CLIENT_ID } : { appid: CALLER_CLIENT_ID };
  const jwt = new SignJWT({ ...caller, ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 60)
    .setNotBefore(now - 60);
  if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? now + 600);
  return jwt.sign(options.key ?? (await keys()).privateKey);
}

export async function bearer(claims: JWTPayload = {}, options: TokenOptions = {}): Promise<string> {
  return `Bearer ${await token(claims, options)}`;
}
