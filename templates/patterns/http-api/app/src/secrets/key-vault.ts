import { SecretClient } from '@azure/keyvault-secrets';
import { azureCredential } from '../shared/storage-clients.js';

/** The one call the cache needs from a Key Vault client, so tests can hand in a fake. */
export interface SecretSource {
  getSecret(name: string): Promise<{ value?: string }>;
}

/** How long a secret is served from memory: rotations show up within this time, and the vault is spared. */
export const SECRET_TTL_MS = 5 * 60 * 1000;

/**
 * Secrets from the app's Key Vault, read with the managed identity (Key Vault Secrets User on that vault
 * only) and cached per process with a TTL. Concurrent reads of one secret share one request.
 */
export class SecretCache {
  private readonly entries = new Map<string, { value: Promise<string>; expiresAt: number }>();

  constructor(
    private readonly source: SecretSource,
    private readonly ttlMs = SECRET_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(name: string): Promise<string> {
    const cached = this.entries.get(name);
    if (cached && cached.expiresAt > this.now()) return cached.value;
    const value = this.source.getSecret(name).then((secret) => {
      if (secret.value === undefined) throw new Error(`Key Vault secret "${name}" has no value`);
      return secret.value;
    });
    this.entries.set(name, { value, expiresAt: this.now() + this.ttlMs });
    // A failed read is not cached: the next call tries again.
    value.catch(() => {
      if (this.entries.get(name)?.value === value) this.entries.delete(name);
    });
    return value;
  }
}

let secrets: SecretCache | undefined;

/**
 * The process-wide cache over the vault in KEY_VAULT_URI (set by infra/main.bicep), e.g.
 * `const apiKey = await appSecrets().get('partner-api-key')`.
 */
export function appSecrets(settings: Readonly<Record<string, string | undefined>> = process.env): SecretCache {
  if (!secrets) {
    const vaultUri = settings.KEY_VAULT_URI;
    if (!vaultUri) throw new Error('KEY_VAULT_URI is not set: it names the Key Vault the app reads secrets from');
    secrets = new SecretCache(new SecretClient(vaultUri, azureCredential()));
  }
  return secrets;
}
