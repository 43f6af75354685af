import { describe, expect, it, vi } from 'vitest';
import { appSecrets, SecretCache, type SecretSource } from '../../src/secrets/key-vault.js';

function fakeVault(values: Record<string, string | undefined>) {
  return { getSecret: vi.fn(async (name: string) => ({ value: values[name] })) } satisfies SecretSource;
}

describe('SecretCache', () => {
  it('reads a secret once per TTL, and again after it', async () => {
    let now = 0;
    const vault = fakeVault({ 'partner-key': 's3cret' });
    const cache = new SecretCache(vault, 1000, () => now);

    expect(await cache.get('partner-key')).toBe('s3cret');
    now = 999;
    expect(await cache.get('partner-key')).toBe('s3cret');
    expect(vault.getSecret).toHaveBeenCalledTimes(1);
    now = 1000;
    await cache.get('partner-key');
    expect(vault.getSecret).toHaveBeenCalledTimes(2);
  });

  it('shares one request between concurrent reads', async () => {
    const vault = fakeVault({ a: '1' });
    const cache = new SecretCache(vault);
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])).toEqual(['1', '1', '1']);
    expect(vault.getSecret).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failure', async () => {
    const vault = { getSecret: vi.fn().mockRejectedValueOnce(new Error('throttled')).mockResolvedValue({ value: 'ok' }) };
    const cache = new SecretCache(vault);
    await expect(cache.get('a')).rejects.toThrow('throttled');
    expect(await cache.get('a')).toBe('ok');
  });

  it('fails clearly for a secret without a value', async () => {
    await expect(new SecretCache(fakeVault({})).get('empty')).rejects.toThrow('Key Vault secret "empty" has no value');
  });
});

describe('appSecrets', () => {
  it('needs KEY_VAULT_URI', () => {
    expect(() => appSecrets({})).toThrow('KEY_VAULT_URI is not set');
  });

  it('is one cache per process', () => {
    const settings = { KEY_VAULT_URI: 'https://kv-test.vault.azure.net/' };
    expect(appSecrets(settings)).toBe(appSecrets(settings));
  });
});
